#include "http_client.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace chimera::testing {
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

/// The exchanges of one test process, appended to the file named by $CHIMERA_CONTRACT_LOG.
/// ctest runs each test in its own process, possibly alongside others: every line is one
/// O_APPEND write, so lines of concurrent writers never interleave.
class contract_log {
public:
    static contract_log& instance() {
        static contract_log the_log;
        return the_log;
    }

    void note_server(unsigned short port, const std::string& program) {
        const std::scoped_lock lock{mutex_};
        servers_[port] = program;
    }

    void record(unsigned short port, const std::string& method, const std::string& target, const http_reply& reply) {
        if (fd_ < 0) return;
        nlohmann::json line{{"test", current_test()}, {"port", port},           {"method", method},
                            {"target", target},       {"status", reply.status}, {"headers", nlohmann::json::object()}};
        for (const char* name : recorded_headers) {
            if (const auto it = reply.headers.find(name); it != reply.headers.end()) {
                line["headers"][name] = it->second;
            }
        }
        {
            const std::scoped_lock lock{mutex_};
            const auto server = servers_.find(port);
            line["server"] = server == servers_.end() ? nlohmann::json() : nlohmann::json(server->second);
        }
        // A body that is not UTF-8 cannot be a JSON string as is: it is recorded with U+FFFD
        // replacements and flagged, so that the validator rejects it where JSON was due.
        line["body"] = reply.body;
        bool utf8 = true;
        try {
            (void)line["body"].dump();
        } catch (const nlohmann::json::type_error&) {
            utf8 = false;
        }
        line["body_utf8"] = utf8;
        const auto text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
        const std::scoped_lock lock{mutex_};
        if (::write(fd_, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
            throw std::runtime_error("cannot append to $CHIMERA_CONTRACT_LOG");
        }
    }

private:
    static constexpr std::array recorded_headers{"content-type", "location",         "retry-after",
                                                 "allow",        "www-authenticate", "idempotent-replayed"};

    contract_log() {
        const char* path = std::getenv("CHIMERA_CONTRACT_LOG");
        if (path == nullptr || *path == '\0') return;
        std::filesystem::create_directories(std::filesystem::path{path}.parent_path());
        fd_ = ::open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd_ < 0) {
            throw std::runtime_error(std::string{"cannot open $CHIMERA_CONTRACT_LOG "} + path);
        }
    }
    ~contract_log() {
        if (fd_ >= 0) ::close(fd_);
    }

    static std::string current_test() {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        return info == nullptr ? std::string{} : std::string{info->test_suite_name()} + "." + info->name();
    }

    int fd_ = -1;
    std::mutex mutex_;
    std::map<unsigned short, std::string> servers_;
};

}  // namespace

void note_server(unsigned short port, const std::string& program) {
    contract_log::instance().note_server(port, program);
}

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
    contract_log::instance().record(port, method, target, reply);
    return reply;
}

}  // namespace chimera::testing
