// How `chimera serve` reads requests off a connection, against the real process: requests
// that arrive together, and requests that arrive in pieces.
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "raw_connection.hpp"
#include "service_stack.hpp"

namespace chimera::testing {
namespace {

using namespace std::chrono_literals;

/// The status lines of `received`, in order.
std::vector<std::string> status_lines(const std::string& received) {
    std::vector<std::string> lines;
    for (auto at = received.find("HTTP/1.1 "); at != std::string::npos; at = received.find("HTTP/1.1 ", at + 1)) {
        lines.push_back(received.substr(at, received.find("\r\n", at) - at));
    }
    return lines;
}

TEST(HttpFront, PipelinedRequestsAreAnsweredInOrderOnOneConnection) {
    service_stack s{{}};
    const raw_connection client{s.port};
    client.send_text(
        "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n"
        "GET /runs/00000000-0000-4000-8000-000000000000 HTTP/1.1\r\nHost: a\r\n\r\n"
        "HEAD /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    const auto received = client.receive(5s);
    EXPECT_EQ(status_lines(received),
              (std::vector<std::string>{"HTTP/1.1 200 OK", "HTTP/1.1 404 Not Found", "HTTP/1.1 200 OK"}));
    EXPECT_TRUE(received.ends_with("\r\n\r\n")) << "HEAD answers the head alone: " << received;
}

TEST(HttpFront, ARequestSentInPiecesIsAnswered) {
    service_stack s{{}};
    const raw_connection client{s.port};
    for (const auto* piece :
         {"POST /runs HTTP/1.1\r\nHost: a\r\nConnection: close\r\nContent-Type: application/json\r\n",
          "Content-Length: 20\r\n\r\n{\"data_dir\"", ":\"tr109\"}"}) {
        client.send_text(piece);
        std::this_thread::sleep_for(50ms);  // each piece its own segment
    }
    EXPECT_EQ(status_lines(client.receive(5s)), (std::vector<std::string>{"HTTP/1.1 202 Accepted"}));
}

}  // namespace
}  // namespace chimera::testing
