// Socket-level helpers shared by the streamed endpoints (/api/generate and the OpenAI routes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace sim {

// True when the peer closed or reset the connection, false when cancelled. Like Go's background
// read, it notices a client that leaves while nothing is being written; pipelined bytes stay queued.
boost::asio::awaitable<bool> watch_disconnect(boost::asio::ip::tcp::socket& socket);

// Where --fault-split-writes cuts `object`: inside its first multi-byte UTF-8 character if any, so
// clients must reassemble split characters; else at a byte chosen by `salt`.
std::size_t split_point(std::string_view object, std::uint64_t salt);

}  // namespace sim
