#include "chimera/backend/backend_probe.hpp"

#include <optional>
#include <vector>

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

/// A GET answered 200 with a JSON body, or why not.
struct json_answer {
    std::optional<nlohmann::json> body;
    std::string failure;
};

awaitable<json_answer> get_json(beast::tcp_stream& stream, const backend_settings& settings, const char* target) {
    constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
    http::request<http::empty_body> request{http::verb::get, target, 11};
    request.set(http::field::host, settings.endpoint.authority());
    request.keep_alive(true);
    stream.expires_after(probe_timeout);
    auto [write_ec, written] = co_await http::async_write(stream, request, use_tuple);
    if (write_ec) {
        co_return json_answer{std::nullopt, "cannot send to Ollama: " + write_ec.message()};
    }
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    auto [read_ec, read] = co_await http::async_read(stream, buffer, response, use_tuple);
    if (read_ec) {
        co_return json_answer{std::nullopt, "no answer from Ollama: " + read_ec.message()};
    }
    if (response.result() != http::status::ok) {
        co_return json_answer{std::nullopt, "Ollama answered HTTP " + std::to_string(response.result_int())};
    }
    co_return json_answer{nlohmann::json::parse(response.body(), nullptr, false), {}};
}

awaitable<probe_result> probe_over(beast::tcp_stream& stream, const backend_settings& settings) {
    const auto answer = co_await get_json(stream, settings, "/api/version");
    if (!answer.body) {
        co_return probe_result{false, answer.failure};
    }
    const auto& body = *answer.body;
    const bool has_version = body.is_object() && body.contains("version") && body["version"].is_string();
    co_return probe_result{
        has_version, has_version ? "ollama " + body["version"].get<std::string>() : "unexpected /api/version body"};
}

/// `{"models":[{"name":…},…]}`; entries without a string name are skipped.
std::vector<std::string> model_names(const nlohmann::json& tags) {
    std::vector<std::string> names;
    if (!tags.is_object() || !tags.contains("models") || !tags["models"].is_array()) return names;
    for (const auto& model : tags["models"]) {
        if (model.is_object() && model.contains("name") && model["name"].is_string()) {
            names.push_back(model["name"].get<std::string>());
        }
    }
    return names;
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

awaitable<std::vector<std::string>> list_backend_models(backend_connection_pool& pool,
                                                        const backend_settings& settings) {
    backend_connection connection;
    try {
        auto acquired = co_await pool.acquire();
        connection = std::move(acquired.connection);
    } catch (const core::run_failure&) {
        co_return std::vector<std::string>{};
    }
    const auto answer = co_await get_json(*connection, settings, "/api/tags");
    if (!answer.body) {
        co_return std::vector<std::string>{};
    }
    pool.release(std::move(connection));
    co_return model_names(*answer.body);
}

}  // namespace chimera::service
