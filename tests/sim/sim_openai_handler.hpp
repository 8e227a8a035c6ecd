// POST /v1/chat/completions and /v1/completions of an OpenAI-compatible engine (llama.cpp or
// vLLM): validation, load and prompt-eval delays, paced tokens as Server-Sent Events, faults, stats.
#pragma once

#include <chrono>
#include <cstdint>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "sim_openai_request.hpp"
#include "sim_responses.hpp"
#include "sim_state.hpp"

namespace sim {

// Serves one request on `socket`, `received` being when it was fully read. Returns whether the
// connection may carry another request. A client that disconnects stops the generation at once.
boost::asio::awaitable<bool> serve_openai(boost::asio::ip::tcp::socket& socket,
                                          const request& req,
                                          sim_state& state,
                                          std::uint64_t connection_id,
                                          std::chrono::steady_clock::time_point received,
                                          openai_api api);

}  // namespace sim
