#pragma once

#include <chrono>
#include <map>
#include <string>

namespace chimera::testing {

struct http_reply {
    unsigned status = 0;
    std::map<std::string, std::string> headers;  ///< lower-case names
    std::string body;
};

/// A blocking HTTP/1.1 client for tests: one connection per request, every
/// operation bounded by `timeout`. With $CHIMERA_CONTRACT_LOG set, every exchange is
/// appended to that file as a JSON line (the server's program, the request line, status,
/// contract-relevant headers and body) for proto-free-api/validate_responses.py.
http_reply http_request(unsigned short port,
                        const std::string& method,
                        const std::string& target,
                        const std::string& body = {},
                        const std::map<std::string, std::string>& headers = {},
                        std::chrono::milliseconds timeout = std::chrono::seconds{10});

/// Names the program serving `port` (e.g. "chimera", "ollama-sim") in the exchanges
/// recorded from now on, so that the contract check can tell chimera's responses apart.
void note_server(unsigned short port, const std::string& program);

/// Polls `GET target` until `accept(reply)` or the deadline; returns the last reply.
template <typename Predicate>
http_reply poll_until(unsigned short port,
                      const std::string& target,
                      Predicate accept,
                      std::chrono::milliseconds deadline);

}  // namespace chimera::testing

#include "http_client_poll.hpp"
