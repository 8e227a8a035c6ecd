#pragma once

#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <ctime>
#include <stdexcept>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace chimera::service::test {

/// Holds the kernel's receive stamps on while it lives. The kernel turns stamping on for the whole
/// host through deferred work when the first socket asks for it, so segments that come right after
/// may carry none, and it turns it off again when the last such socket closes. This keeps a
/// stamped loopback pair open, having exchanged bytes until one came stamped: from then on, every
/// segment received anywhere on the host is.
class receive_stamps_on {
public:
    receive_stamps_on() {
        namespace asio = boost::asio;
        asio::ip::tcp::acceptor acceptor{io_, {asio::ip::make_address("127.0.0.1"), 0}};
        reader_.connect(acceptor.local_endpoint());
        acceptor.accept(writer_);
        const int on = 1;
        ::setsockopt(reader_.native_handle(), SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
        for (int attempt = 0; attempt < 100000; ++attempt) {
            if (exchange_stamped()) {
                return;
            }
            std::this_thread::yield();
        }
        throw std::runtime_error("no segment came with a receive stamp");
    }

private:
    bool exchange_stamped() {
        writer_.send(boost::asio::buffer("x", 1));
        char byte = 0;
        iovec data{&byte, 1};
        alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(timespec))> control{};
        msghdr message{};
        message.msg_iov = &data;
        message.msg_iovlen = 1;
        message.msg_control = control.data();
        message.msg_controllen = control.size();
        if (::recvmsg(reader_.native_handle(), &message, 0) != 1) {
            throw std::runtime_error("the stamp probe's byte did not come back");
        }
        const auto* c = CMSG_FIRSTHDR(&message);
        return c != nullptr && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS;
    }

    boost::asio::io_context io_;
    boost::asio::ip::tcp::socket reader_{io_};
    boost::asio::ip::tcp::socket writer_{io_};
};

}  // namespace chimera::service::test
