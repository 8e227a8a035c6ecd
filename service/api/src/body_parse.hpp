#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "chimera/asio/awaitable.hpp"
#include "chimera/core/run/run_request.hpp"

namespace chimera::service {

/// Request bodies this large are parsed on the parse pool: valid run requests and sweep specs
/// are a few KB, so these are odd or hostile, and the milliseconds their parse takes belong
/// to no other connection of the network thread.
inline constexpr std::size_t off_thread_body_bytes = 64 * 1024;

/// A POST body read: what it parsed to, or why not; and, when it parsed, the body in canonical
/// form (keys sorted, no spaces), so that the same request in other formatting is the same
/// request to an Idempotency-Key.
template <typename Parsed>
struct read_body {
    std::variant<Parsed, core::request_error> parsed;
    std::string canonical;
};

template <typename Parsed>
using body_parser = std::variant<Parsed, core::request_error> (*)(std::string_view);

template <typename Parsed>
read_body<Parsed> read_request_body(std::string_view body, body_parser<Parsed> parse) {
    read_body<Parsed> read{parse(body), {}};
    if (std::holds_alternative<Parsed>(read.parsed)) read.canonical = nlohmann::json::parse(body).dump();
    return read;
}

/// A plain function template, not a capturing coroutine lambda: GCC 12 double-destroys the
/// captures of coroutine lambdas handed to co_spawn.
template <typename Parsed>
awaitable<read_body<Parsed>> read_body_copy(body_parser<Parsed> parse, std::string body) {
    co_return read_request_body<Parsed>(body, parse);
}

/// read_request_body here when the body is small, on `pool` when it is large (resuming here).
template <typename Parsed>
awaitable<read_body<Parsed>> read_request_body(boost::asio::thread_pool& pool,
                                               std::string_view body,
                                               body_parser<Parsed> parse) {
    if (body.size() < off_thread_body_bytes) co_return read_request_body<Parsed>(body, parse);
    auto read = co_await boost::asio::co_spawn(pool, read_body_copy<Parsed>(parse, std::string{body}),
                                               boost::asio::use_awaitable);
    co_return read;
}

}  // namespace chimera::service
