#include "http_client.hpp"

#include <algorithm>
#include <cctype>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace chimera::testing {
namespace beast = boost::beast;
namespace http = beast::http;

http_reply http_request(unsigned short port,
                        const std::string& method,
                        const std::string& target,
                        const std::string& body,
                        const std::map<std::string, std::string>& headers,
                        std::chrono::milliseconds timeout) {
    boost::asio::io_context io;
    beast::tcp_stream stream{io};
    stream.expires_after(timeout);
    stream.connect(boost::asio::ip::tcp::endpoint{boost::asio::ip::make_address("127.0.0.1"), port});
    http::request<http::string_body> request{http::string_to_verb(method), target, 11};
    request.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    for (const auto& [name, value] : headers) {
        request.set(name, value);
    }
    if (!body.empty() || method == "POST") {
        request.set(http::field::content_type, "application/json");
        request.body() = body;
        request.prepare_payload();
    }
    request.keep_alive(false);
    http::write(stream, request);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64U << 20);
    http::read(stream, buffer, parser);
    auto response = parser.release();
    http_reply reply{response.result_int(), {}, std::move(response.body())};
    for (const auto& field : response) {
        std::string name{field.name_string()};
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        reply.headers[name] = std::string{field.value()};
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    return reply;
}

}  // namespace chimera::testing
