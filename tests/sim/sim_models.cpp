#include "sim_models.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>

#include "sim_faults.hpp"
#include "sim_json.hpp"

namespace sim {
namespace {

// Figures of the real gemma3:latest (4.3B Q4_K_M) so clients see plausible numbers.
constexpr std::int64_t file_size = 3338801804;
constexpr std::int64_t resident_size = 6169209856;
constexpr int context_length = 4096;
constexpr std::string_view modified_at = "2025-08-14T09:12:43.512345678Z";

std::string family_of(std::string_view name) { return std::string{name.substr(0, name.find(':'))}; }

// A stable sha256-looking digest, so different model names get different digests.
std::string digest_of(std::string_view name) {
    std::uint64_t h = 1469598103934665603ULL;
    std::string hex;
    char buf[17];
    while (hex.size() < 64) {
        for (const char c : name) {
            h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
        }
        std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
        hex += buf;
    }
    return hex;
}

nlohmann::ordered_json details(std::string_view name) {
    return {{"parent_model", ""},        {"format", "gguf"},
            {"family", family_of(name)}, {"families", {family_of(name)}},
            {"parameter_size", "4.3B"},  {"quantization_level", "Q4_K_M"}};
}

}  // namespace

std::string normalize_model_name(std::string_view name) {
    std::string out{name};
    if (!name.empty() && name.find(':') == std::string_view::npos) {
        out += ":latest";
    }
    return out;
}

model_registry::model_registry(const std::vector<std::string>& names, clock::duration load_delay)
    : load_delay_{load_delay} {
    for (const auto& name : names) {
        models_.emplace(normalize_model_name(name), residency{});
    }
}

bool model_registry::knows(std::string_view name) const {
    return name.starts_with(fault_model_prefix) || models_.contains(normalize_model_name(name));
}

bool model_registry::resident(const residency& r, clock::time_point now) const {
    return r.loaded && (r.uses > 0 || now < r.expires_at);
}

model_registry::clock::time_point model_registry::acquire(std::string_view name, clock::time_point now) {
    // A fault model exists from its first use on.
    auto& r = models_.try_emplace(normalize_model_name(name)).first->second;
    if (!resident(r, now)) {
        r.loaded = true;
        r.ready_at = now + load_delay_;
    }
    ++r.uses;
    return std::max(r.ready_at, now);
}

void model_registry::release(std::string_view name, clock::time_point now, std::chrono::nanoseconds keep_alive) {
    auto& r = models_.at(normalize_model_name(name));
    --r.uses;
    const bool forever = keep_alive < std::chrono::nanoseconds::zero();
    r.expires_at = forever ? clock::time_point::max() : now + keep_alive;
}

void model_registry::unload(std::string_view name, clock::time_point now) {
    const auto found = models_.find(normalize_model_name(name));
    if (found != models_.end()) {  // a fault model never used has nothing to unload
        found->second.expires_at = now;
    }
}

void model_registry::unload_all() {
    for (auto& [name, r] : models_) {
        r.loaded = false;
    }
}

nlohmann::ordered_json model_registry::tags() const {
    auto list = nlohmann::ordered_json::array();
    for (const auto& [name, r] : models_) {
        list.push_back({{"name", name},
                        {"model", name},
                        {"modified_at", modified_at},
                        {"size", file_size},
                        {"digest", digest_of(name)},
                        {"details", details(name)}});
    }
    return {{"models", list}};
}

nlohmann::ordered_json model_registry::ps(clock::time_point now) const {
    auto list = nlohmann::ordered_json::array();
    // Bounded so a never-expiring model still prints a representable date.
    constexpr auto max_shown = std::chrono::hours{24 * 365 * 100};
    for (const auto& [name, r] : models_) {
        if (!resident(r, now)) {
            continue;
        }
        // While in use the expiry is not yet set; Ollama then shows the default keep_alive.
        const auto remaining =
            r.uses > 0 ? std::chrono::minutes{5} : std::min<clock::duration>(r.expires_at - now, max_shown);
        const auto expires = std::chrono::system_clock::now() +
                             std::chrono::duration_cast<std::chrono::system_clock::duration>(remaining);
        list.push_back({{"name", name},
                        {"model", name},
                        {"size", resident_size},
                        {"digest", digest_of(name)},
                        {"details", details(name)},
                        {"expires_at", rfc3339_nano(expires)},
                        {"size_vram", resident_size},
                        {"context_length", context_length}});
    }
    return {{"models", list}};
}

nlohmann::ordered_json model_registry::show(std::string_view name) const {
    const auto family = family_of(normalize_model_name(name));
    return {{"modelfile", "# Modelfile generated by ollama-sim\nFROM " + normalize_model_name(name) + "\n"},
            {"parameters", "stop                           \"<end_of_turn>\"\ntemperature                    1"},
            {"template", "{{- range .Messages }}<start_of_turn>{{ .Role }}\n{{ .Content }}<end_of_turn>\n{{ end }}"},
            {"details", details(name)},
            {"model_info",
             {{"general.architecture", family},
              {"general.parameter_count", 4299915632LL},
              {family + ".context_length", 131072}}},
            {"capabilities", {"completion"}},
            {"modified_at", modified_at}};
}

}  // namespace sim
