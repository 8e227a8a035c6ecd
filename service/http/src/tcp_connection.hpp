#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "chimera/http/http_connection.hpp"

namespace chimera::service {

/// A session's TCP connection: Nagle off, non-blocking, a deadline per phase.
class tcp_connection final : public http_connection {
public:
    explicit tcp_connection(boost::asio::ip::tcp::socket socket);
    ~tcp_connection() override = default;
    tcp_connection(const tcp_connection&) = delete;
    tcp_connection& operator=(const tcp_connection&) = delete;
    tcp_connection(tcp_connection&&) = delete;
    tcp_connection& operator=(tcp_connection&&) = delete;

    awaitable<io_result> read_some(boost::asio::mutable_buffer buffer) override;

    /// Straight away as far as the socket takes it (all of it, for a small response), the rest
    /// asynchronously. Skipping the asynchronous write when it is not needed saves a composed
    /// operation, a timer wait and its cancellation, and two trips through the scheduler.
    awaitable<io_result> write(write_buffers buffers) override;

    void expires_after(std::chrono::steady_clock::duration timeout) override;
    void shutdown_send() override;
    [[nodiscard]] std::string remote() const override;
    [[nodiscard]] std::string remote_address() const override;

private:
    boost::beast::tcp_stream stream_;
};

}  // namespace chimera::service
