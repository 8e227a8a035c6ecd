// POST /api/generate: validation, load and prompt-eval delays, paced tokens, faults, stats.
#pragma once

#include <chrono>
#include <cstdint>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "sim_responses.hpp"
#include "sim_state.hpp"

namespace sim {

// Serves one request on `socket`, `received` being when it was fully read. Returns whether the
// connection may carry another request. A client that disconnects stops the generation at once.
boost::asio::awaitable<bool> serve_generate(boost::asio::ip::tcp::socket& socket,
                                            const request& req,
                                            sim_state& state,
                                            std::uint64_t connection_id,
                                            std::chrono::steady_clock::time_point received);

}  // namespace sim
