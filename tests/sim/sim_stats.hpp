// What the simulator observed, served as GET /sim/stats. Not thread-safe: owned by the io thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace sim {

// One generation request (/api/generate, /v1/chat/completions, /v1/completions), updated in place
// while it runs.
struct request_record {
    std::uint64_t seq = 0;
    std::uint64_t connection_id = 0;
    std::string path = "/api/generate";
    std::string model;
    unsigned status = 0;  // 0 while (or if) no status line was sent
    bool stream = true;
    std::uint64_t prompt_tokens = 0;
    std::uint64_t eval_count = 0;
    std::optional<double> ttft_ms;  // request read -> first token handed to the socket; null when none was
    double first_token_delay_ms = 0;
    std::int64_t eval_duration_ns = 0;
    bool client_disconnected = false;
    bool completed = false;
};

class sim_stats {
public:
    // Returns the new connection's id; ids stay unique across resets.
    std::uint64_t connection_opened();
    void connection_closed();
    // Connections that POST /sim/drop-idle closed while they waited for a request.
    void connections_dropped(std::uint64_t count);
    // Requests refused 401 for want of the --api-key.
    void request_unauthorized() { ++requests_unauthorized_; }

    // Shared so a request still running across a reset updates a record nobody lists any more.
    std::shared_ptr<request_record> add_request(std::uint64_t connection_id, std::string_view path = "/api/generate");

    // A generation request being served, from when it was read until its exchange ended (its
    // response written, or the client gone): the in-flight count and its peak.
    void generation_started();
    void generation_ended();

    // Clears requests, the accepted, dropped and unauthorized counts and the peak of generations in
    // flight (down to those in flight now); connections_open and generations_in_flight stay true to
    // the exchanges.
    void reset();

    nlohmann::ordered_json to_json() const;

private:
    std::uint64_t next_connection_id_ = 0;
    std::uint64_t connections_accepted_ = 0;
    std::uint64_t connections_open_ = 0;
    std::uint64_t connections_dropped_ = 0;
    std::uint64_t requests_unauthorized_ = 0;
    std::uint64_t generations_in_flight_ = 0;
    std::uint64_t peak_generations_in_flight_ = 0;
    std::vector<std::shared_ptr<request_record>> requests_;
};

// Counts one generation request in flight for its lifetime (the exchange serving it).
class generation_in_flight {
public:
    explicit generation_in_flight(sim_stats& stats) : stats_{stats} { stats_.generation_started(); }
    ~generation_in_flight() { stats_.generation_ended(); }
    generation_in_flight(const generation_in_flight&) = delete;
    generation_in_flight& operator=(const generation_in_flight&) = delete;

private:
    sim_stats& stats_;
};

}  // namespace sim
