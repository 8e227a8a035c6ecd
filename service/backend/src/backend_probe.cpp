#include "chimera/backend/backend_probe.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <nlohmann/json.hpp>

#include "chimera/core/run/run_failure.hpp"

namespace chimera::service {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;

namespace {

constexpr std::chrono::seconds probe_timeout{2};

awaitable<probe_result> probe_over(beast::tcp_stream& stream, const backend_settings& settings) {
    constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
    http::request<http::empty_body> request{http::verb::get, "/api/version", 11};
    request.set(http::field::host, settings.endpoint.authority());
    request.keep_alive(true);
    stream.expires_after(probe_timeout);
    auto [write_ec, written] = co_await http::async_write(stream, request, use_tuple);
    if (write_ec) {
        co_return probe_result{false, "cannot send to Ollama: " + write_ec.message()};
    }
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    auto [read_ec, read] = co_await http::async_read(stream, buffer, response, use_tuple);
    if (read_ec) {
        co_return probe_result{false, "no answer from Ollama: " + read_ec.message()};
    }
    if (response.result() != http::status::ok) {
        co_return probe_result{false, "Ollama answered HTTP " + std::to_string(response.result_int())};
    }
    const auto body = nlohmann::json::parse(response.body(), nullptr, false);
    const bool has_version = body.is_object() && body.contains("version") && body["version"].is_string();
    co_return probe_result{
        has_version, has_version ? "ollama " + body["version"].get<std::string>() : "unexpected /api/version body"};
}

awaitable<probe_result> preload_over(beast::tcp_stream& stream,
                                     const backend_settings& settings,
                                     const std::string& model) {
    constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
    http::request<http::string_body> request{http::verb::post, "/api/generate", 11};
    request.set(http::field::host, settings.endpoint.authority());
    request.set(http::field::content_type, "application/json");
    request.keep_alive(true);
    request.body() = nlohmann::json{{"model", model}}.dump();
    request.prepare_payload();
    stream.expires_after(settings.connect_timeout);
    auto [write_ec, written] = co_await http::async_write(stream, request, use_tuple);
    if (write_ec) {
        co_return probe_result{false, "cannot send to Ollama: " + write_ec.message()};
    }
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    stream.expires_after(settings.headers_timeout);
    auto [read_ec, read] = co_await http::async_read(stream, buffer, response, use_tuple);
    if (read_ec) {
        co_return probe_result{false, "no answer from Ollama: " + read_ec.message()};
    }
    const bool loaded = response.result() == http::status::ok;
    co_return probe_result{loaded, loaded ? std::string{"loaded"}
                                          : "Ollama answered HTTP " + std::to_string(response.result_int()) + ": " +
                                                response.body().substr(0, 200)};
}

}  // namespace

awaitable<probe_result> preload_backend_model(backend_connection_pool& pool,
                                              const backend_settings& settings,
                                              const std::string& model) {
    backend_connection connection;
    try {
        connection = co_await pool.connect();
    } catch (const core::run_failure& failure) {
        co_return probe_result{false, failure.what()};
    }
    const auto result = co_await preload_over(*connection, settings, model);
    if (result.ready) {
        pool.release(std::move(connection));
    }
    co_return result;
}

awaitable<probe_result> probe_backend(backend_connection_pool& pool, const backend_settings& settings) {
    backend_connection connection;
    try {
        auto acquired = co_await pool.acquire();
        connection = std::move(acquired.connection);
    } catch (const core::run_failure& failure) {
        co_return probe_result{false, failure.what()};
    }
    auto result = co_await probe_over(*connection, settings);
    if (!result.ready) {
        // A pooled connection may have died while idle: one more try on a fresh one.
        try {
            connection = co_await pool.connect();
        } catch (const core::run_failure& failure) {
            co_return probe_result{false, failure.what()};
        }
        result = co_await probe_over(*connection, settings);
    }
    if (result.ready) {
        pool.release(std::move(connection));
    }
    co_return result;
}

}  // namespace chimera::service
