#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "chimera/asio/awaitable.hpp"

namespace chimera::service {

/// Request bodies this large are parsed on the parse pool: valid run requests and sweep specs
/// are a few KB, so these are odd or hostile, and the milliseconds their parse takes belong
/// to no other connection of the network thread.
inline constexpr std::size_t off_thread_body_bytes = 64 * 1024;

template <typename Parse>
using parsed_body = std::invoke_result_t<Parse, std::string_view>;

/// A plain function template, not a capturing coroutine lambda: GCC 12 double-destroys the
/// captures of coroutine lambdas handed to co_spawn.
template <typename Parse>
awaitable<parsed_body<Parse>> parse_copy(Parse parse, std::string body) {
    co_return parse(std::string_view{body});
}

/// `parse(body)`: here when the body is small, on `pool` when it is large (resuming here).
template <typename Parse>
awaitable<parsed_body<Parse>> parse_body(boost::asio::thread_pool& pool, std::string_view body, Parse parse) {
    if (body.size() < off_thread_body_bytes) co_return parse(body);
    auto parsed = co_await boost::asio::co_spawn(pool, parse_copy(std::move(parse), std::string{body}),
                                                 boost::asio::use_awaitable);
    co_return parsed;
}

}  // namespace chimera::service
