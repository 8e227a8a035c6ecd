#pragma once

#include <stdexcept>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "stamped_stream_reader.hpp"

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
        reader_.socket().connect(acceptor.local_endpoint());
        acceptor.accept(writer_);
        enable_receive_stamps(reader_);
        stamped_stream_reader reader{reader_, buffer_};
        for (int attempt = 0; attempt < 100000; ++attempt) {
            writer_.send(asio::buffer("x", 1));
            auto got = reader.read_now();
            while (got.bytes == 0 && !got.ec) {
                std::this_thread::yield();  // loopback delivers at once; this is for the rare deferral
                got = reader.read_now();
            }
            if (got.ec) {
                throw std::runtime_error("the stamp probe's byte did not come back: " + got.ec.message());
            }
            if (got.stamped) {
                return;
            }
        }
        throw std::runtime_error("no segment came with a receive stamp");
    }

private:
    boost::asio::io_context io_;
    boost::beast::tcp_stream reader_{io_};
    boost::asio::ip::tcp::socket writer_{io_};
    boost::beast::flat_buffer buffer_;
};

}  // namespace chimera::service::test
