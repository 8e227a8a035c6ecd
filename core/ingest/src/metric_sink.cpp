#include "metric_sink.hpp"

#include <algorithm>
#include <array>

#include "chimera/core/text/text.hpp"

namespace chimera::core::detail {

bool is_metric_key(std::string_view key) {
    static constexpr std::array<std::string_view, 5> needles{"tok", "throughput", "latency", "ttft", "speed"};
    return std::any_of(needles.begin(), needles.end(),
                       [key](std::string_view needle) { return contains_nocase(key, needle); });
}

metric_sink::metric_sink(std::vector<harvested_metric>& out, std::size_t max_total)
    : out_(out), max_total_(max_total) {}

void metric_sink::start_file(std::string file) {
    file_ = std::move(file);
    file_start_ = out_.size();
    group_counts_.clear();
}

bool metric_sink::wants_more() const { return out_.size() < max_total_ && out_.size() - file_start_ < max_per_file; }

void metric_sink::add(std::string_view group, std::string key, double value) {
    if (!wants_more()) return;
    // At most max_per_file groups ever take a value, so a linear scan beats hashing.
    auto it = std::find_if(group_counts_.begin(), group_counts_.end(),
                           [group](const auto& entry) { return entry.first == group; });
    if (it == group_counts_.end()) it = group_counts_.emplace(group_counts_.end(), std::string(group), 0);
    if (it->second == max_per_group) return;
    ++it->second;
    out_.push_back({file_, std::move(key), value});
}

}  // namespace chimera::core::detail
