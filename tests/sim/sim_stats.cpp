#include "sim_stats.hpp"

#include <algorithm>

namespace sim {

std::uint64_t sim_stats::connection_opened() {
    ++connections_accepted_;
    ++connections_open_;
    return ++next_connection_id_;
}

void sim_stats::connection_closed() { --connections_open_; }

void sim_stats::connections_dropped(std::uint64_t count) { connections_dropped_ += count; }

std::shared_ptr<request_record> sim_stats::add_request(std::uint64_t connection_id, std::string_view path) {
    auto record = std::make_shared<request_record>();
    record->seq = requests_.size();
    record->connection_id = connection_id;
    record->path = path;
    requests_.push_back(record);
    return record;
}

void sim_stats::generation_started() {
    ++generations_in_flight_;
    peak_generations_in_flight_ = std::max(peak_generations_in_flight_, generations_in_flight_);
}

void sim_stats::generation_ended() { --generations_in_flight_; }

void sim_stats::reset() {
    connections_accepted_ = 0;
    connections_dropped_ = 0;
    requests_unauthorized_ = 0;
    peak_generations_in_flight_ = generations_in_flight_;
    requests_.clear();
}

nlohmann::ordered_json sim_stats::to_json() const {
    auto requests = nlohmann::ordered_json::array();
    for (const auto& r : requests_) {
        requests.push_back({{"seq", r->seq},
                            {"connection_id", r->connection_id},
                            {"path", r->path},
                            {"model", r->model},
                            {"status", r->status},
                            {"stream", r->stream},
                            {"prompt_tokens", r->prompt_tokens},
                            {"eval_count", r->eval_count},
                            {"ttft_ms", r->ttft_ms ? nlohmann::ordered_json(*r->ttft_ms) : nullptr},
                            {"first_token_delay_ms", r->first_token_delay_ms},
                            {"eval_duration_ns", r->eval_duration_ns},
                            {"client_disconnected", r->client_disconnected},
                            {"completed", r->completed}});
    }
    return {{"connections_accepted", connections_accepted_},
            {"connections_open", connections_open_},
            {"connections_dropped", connections_dropped_},
            {"requests_unauthorized", requests_unauthorized_},
            {"generations_in_flight", generations_in_flight_},
            {"peak_generations_in_flight", peak_generations_in_flight_},
            {"requests", requests}};
}

}  // namespace sim
