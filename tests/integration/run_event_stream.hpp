#pragma once

#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace chimera::testing {

/// One event of GET /runs/{id}/events.
struct sse_event {
    std::string type;
    nlohmann::json data;
};

/// The events of a text/event-stream body; comment lines (keep-alives) are skipped.
inline std::vector<sse_event> parse_events(const std::string& body) {
    std::vector<sse_event> events;
    std::istringstream in{body};
    sse_event current;
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("event: ", 0) == 0) {
            current.type = line.substr(7);
        } else if (line.rfind("data: ", 0) == 0) {
            current.data = nlohmann::json::parse(line.substr(6));
        } else if (line.empty() && !current.type.empty()) {
            events.push_back(std::move(current));
            current = {};
        }
    }
    return events;
}

/// The text the `token` events of one call (`analysis` or `report`) carried, in order.
inline std::string text_of(const std::vector<sse_event>& events, const std::string& call) {
    std::string text;
    for (const auto& event : events) {
        if (event.type == "token" && event.data.at("call") == call) text += event.data.at("text").get<std::string>();
    }
    return text;
}

}  // namespace chimera::testing
