#pragma once

#include <boost/asio/awaitable.hpp>

namespace chimera::service {

/// Every coroutine of the service returns one; the alias keeps signatures short without
/// pulling Beast into headers that only need Asio's coroutine type.
template <typename T>
using awaitable = boost::asio::awaitable<T>;

}  // namespace chimera::service
