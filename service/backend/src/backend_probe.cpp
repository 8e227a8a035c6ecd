#include "chimera/backend/backend_probe.hpp"

#include <optional>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <nlohmann/json.hpp>

#include "backend_error_body.hpp"
#include "backend_wire.hpp"
#include "chimera/backend/streaming_call.hpp"
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

/// Asked over the streamed calls' own code (fetch_over_call_path), so that a run's check warms it.
awaitable<json_answer> get_json(beast::tcp_stream& stream, const backend_settings& settings, const char* target) {
    try {
        const auto reply = co_await fetch_over_call_path(stream, settings, target, probe_timeout);
        if (reply.status != 200) {
            // The engine's own words say what to fix: "Invalid API Key", "Unauthorized", …
            const auto message = backend_error_message(reply.body);
            co_return json_answer{std::nullopt, wire_of(settings).who + " answered HTTP " +
                                                    std::to_string(reply.status) +
                                                    (message.empty() ? "" : ": " + message)};
        }
        co_return json_answer{nlohmann::json::parse(reply.body, nullptr, false), {}};
    } catch (const core::run_failure& failure) {
        co_return json_answer{std::nullopt, failure.what()};
    }
}

/// The string `name_key` of each entry of the array `list_key` (Ollama's `/api/tags`: models /
/// name; the OpenAI-compatible `/v1/models`: data / id); entries without one are skipped.
std::vector<std::string> listed_names(const nlohmann::json& list, const char* list_key, const char* name_key) {
    std::vector<std::string> names;
    if (!list.is_object() || !list.contains(list_key) || !list[list_key].is_array()) return names;
    for (const auto& entry : list[list_key]) {
        if (entry.is_object() && entry.contains(name_key) && entry[name_key].is_string()) {
            names.push_back(entry[name_key].get<std::string>());
        }
    }
    return names;
}

/// An OpenAI-compatible engine has no version route: it is ready when it lists its models.
probe_result openai_readiness(const nlohmann::json& list, const backend_settings& settings) {
    const bool is_list = list.is_object() && list.contains("data") && list["data"].is_array();
    if (!is_list) return probe_result::failed("unexpected /v1/models body");
    const auto count = listed_names(list, "data", "id").size();
    return {true, wire_of(settings).who + " lists " + std::to_string(count) + (count == 1 ? " model" : " models"),
            std::nullopt};
}

awaitable<probe_result> probe_over(beast::tcp_stream& stream, const backend_settings& settings) {
    const auto answer = co_await get_json(stream, settings, wire_of(settings).probe_target);
    if (!answer.body) {
        co_return probe_result::failed(answer.failure);
    }
    const auto& body = *answer.body;
    if (settings.kind == core::backend_kind::openai) {
        co_return openai_readiness(body, settings);
    }
    const bool has_version = body.is_object() && body.contains("version") && body["version"].is_string();
    if (!has_version) co_return probe_result::failed("unexpected /api/version body");
    auto version = body["version"].get<std::string>();
    co_return probe_result{true, "ollama " + version, std::move(version)};
}

awaitable<probe_result> preload_over(beast::tcp_stream& stream,
                                     const backend_settings& settings,
                                     const std::string& model) {
    constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
    http::request<http::string_body> request{http::verb::post, "/api/generate", 11};
    set_backend_headers(request, settings);
    request.set(http::field::content_type, "application/json");
    request.keep_alive(true);
    request.body() = nlohmann::json{{"model", model}}.dump();
    request.prepare_payload();
    stream.expires_after(settings.connect_timeout);
    auto [write_ec, written] = co_await http::async_write(stream, request, use_tuple);
    if (write_ec) {
        co_return probe_result::failed("cannot send to Ollama: " + write_ec.message());
    }
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    stream.expires_after(settings.headers_timeout);
    auto [read_ec, read] = co_await http::async_read(stream, buffer, response, use_tuple);
    if (read_ec) {
        co_return probe_result::failed("no answer from Ollama: " + read_ec.message());
    }
    if (response.result() != http::status::ok) {
        co_return probe_result::failed("Ollama answered HTTP " + std::to_string(response.result_int()) + ": " +
                                       response.body().substr(0, 200));
    }
    co_return probe_result{true, "loaded", std::nullopt};
}

}  // namespace

awaitable<probe_result> preload_backend_model(backend_connection_pool& pool,
                                              const backend_settings& settings,
                                              const std::string& model) {
    backend_connection connection;
    try {
        connection = co_await pool.connect();
    } catch (const core::run_failure& failure) {
        co_return probe_result::failed(failure.what());
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
        co_return probe_result::failed(failure.what());
    }
    auto result = co_await probe_over(*connection, settings);
    if (!result.ready) {
        // A pooled connection may have died while idle: one more try on a fresh one.
        try {
            connection = co_await pool.connect();
        } catch (const core::run_failure& failure) {
            co_return probe_result::failed(failure.what());
        }
        result = co_await probe_over(*connection, settings);
    }
    if (result.ready) {
        pool.release(std::move(connection));
    }
    co_return result;
}

awaitable<checked_connection> check_run_connection(backend_connection_pool& pool, const backend_settings& settings) {
    checked_connection checked;
    try {
        auto acquired = co_await pool.acquire();
        checked.connection = std::move(acquired.connection);
        checked.check = co_await probe_over(*checked.connection, settings);
        if (!checked.check.ready && acquired.reused) {
            // A pooled connection may have died while idle: one more try on a fresh one.
            checked.connection = co_await pool.connect();
            checked.check = co_await probe_over(*checked.connection, settings);
        }
    } catch (const core::run_failure& failure) {
        checked.check = probe_result::failed(failure.what());
    }
    if (checked.check.ready) {
        checked.connection->expires_never();  // it waits for the run's files, untimed, as in the pool
    } else {
        checked.connection.reset();
    }
    co_return checked;
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
    const bool openai = settings.kind == core::backend_kind::openai;
    const auto answer = co_await get_json(*connection, settings, openai ? "/v1/models" : "/api/tags");
    if (!answer.body) {
        co_return std::vector<std::string>{};
    }
    pool.release(std::move(connection));
    co_return openai ? listed_names(*answer.body, "data", "id") : listed_names(*answer.body, "models", "name");
}

}  // namespace chimera::service
