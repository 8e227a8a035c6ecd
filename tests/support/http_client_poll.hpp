#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include "http_client.hpp"

namespace chimera::testing {

template <typename Predicate>
http_reply poll_until(unsigned short port,
                      const std::string& target,
                      Predicate accept,
                      std::chrono::milliseconds deadline) {
    const auto end = std::chrono::steady_clock::now() + deadline;
    for (;;) {
        http_reply reply;
        try {
            reply = http_request(port, "GET", target);
        } catch (const std::exception&) {
            reply = {};  // not up yet
        }
        if (reply.status != 0 && accept(reply)) {
            return reply;
        }
        if (std::chrono::steady_clock::now() > end) {
            throw std::runtime_error("condition on GET " + target + " not met in time; last status " +
                                     std::to_string(reply.status) + ", body: " + reply.body.substr(0, 300));
        }
        // Polling interval, not synchronisation: the predicate decides.
        std::this_thread::sleep_for(std::chrono::milliseconds{5});
    }
}

}  // namespace chimera::testing
