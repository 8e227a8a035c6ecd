// The simulated models: which exist, which are resident (warm), and their /api/tags, /api/ps and
// /api/show descriptions. Not thread-safe: owned by the single io thread.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace sim {

// "gemma3" -> "gemma3:latest", as Ollama resolves names.
std::string normalize_model_name(std::string_view name);

class model_registry {
public:
    using clock = std::chrono::steady_clock;

    model_registry(const std::vector<std::string>& names, clock::duration load_delay);

    bool knows(std::string_view name) const;

    // Starts a use of the model and returns when it is ready: a cold model starts loading now, a
    // model being loaded by another request is ready when that load ends, a warm one is ready now.
    clock::time_point acquire(std::string_view name, clock::time_point now);

    // Ends a use; Ollama's keep_alive timer starts when the last use ends. A negative keep_alive
    // never expires, zero unloads as soon as no request uses the model.
    void release(std::string_view name, clock::time_point now, std::chrono::nanoseconds keep_alive);

    // keep_alive:0 with an empty prompt: the model goes cold once its current uses end.
    void unload(std::string_view name, clock::time_point now);

    void unload_all();

    nlohmann::ordered_json tags() const;
    nlohmann::ordered_json ps(clock::time_point now) const;
    nlohmann::ordered_json show(std::string_view name) const;

private:
    struct residency {
        bool loaded = false;
        clock::time_point ready_at;
        clock::time_point expires_at;
        int uses = 0;
    };

    bool resident(const residency& r, clock::time_point now) const;

    clock::duration load_delay_;
    std::map<std::string, residency, std::less<>> models_;
};

}  // namespace sim
