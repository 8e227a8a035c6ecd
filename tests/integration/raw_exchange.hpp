#pragma once

// One HTTP/1.1 exchange over a raw socket, kept byte for byte: what a test of a streamed body needs
// (the chunked framing, a body cut short) and the HTTP client helper hides.
#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "raw_connection.hpp"

namespace chimera::testing {

struct raw_reply {
    unsigned status = 0;                         ///< 0: the server closed the connection without a status line
    std::map<std::string, std::string> headers;  ///< lower-case names
    std::string body;                            ///< de-chunked
    bool complete = false;                       ///< the chunked body ended with its last chunk
};

/// Sends `method target` with `Connection: close` and reads until the server closes.
inline raw_reply raw_exchange(unsigned short port,
                              std::string_view method,
                              std::string_view target,
                              std::string_view body = {},
                              std::string_view extra_headers = {}) {
    std::string request{method};
    request.append(" ").append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    request.append("Content-Type: application/json\r\nContent-Length: ").append(std::to_string(body.size()));
    request.append("\r\n").append(extra_headers).append("\r\n").append(body);
    const raw_connection connection{port};
    connection.send_text(request);
    const std::string received = connection.receive(std::chrono::seconds{20});
    raw_reply reply;
    const auto head_end = received.find("\r\n\r\n");
    if (received.size() < 12 || head_end == std::string::npos) return reply;
    reply.status = static_cast<unsigned>(std::stoul(received.substr(9, 3)));
    for (std::size_t at = received.find("\r\n") + 2; at < head_end;) {
        const auto end = received.find("\r\n", at);
        const auto line = received.substr(at, end - at);
        std::string name = line.substr(0, line.find(':'));
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        reply.headers[name] = line.substr(line.find(':') + 2);
        at = end + 2;
    }
    std::string_view rest = std::string_view{received}.substr(head_end + 4);
    if (reply.headers["transfer-encoding"] != "chunked") {
        reply.body = rest;
        reply.complete = true;
        return reply;
    }
    while (!rest.empty()) {
        const auto size_end = rest.find("\r\n");
        if (size_end == std::string_view::npos) break;
        const auto size = std::stoul(std::string{rest.substr(0, size_end)}, nullptr, 16);
        if (size == 0) {
            reply.complete = rest.substr(size_end) == "\r\n\r\n";
            break;
        }
        reply.body.append(rest.substr(size_end + 2, size));
        rest = rest.substr(std::min(rest.size(), size_end + 2 + size + 2));
    }
    return reply;
}

}  // namespace chimera::testing
