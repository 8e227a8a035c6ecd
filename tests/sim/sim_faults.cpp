#include "sim_faults.hpp"

#include <charconv>

namespace sim {
namespace {

std::string_view trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
        return {};
    }
    return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

bool apply_fault(std::string_view item, fault_plan& plan) {
    if (item == "split-writes") {
        plan.split_writes = true;
        return true;
    }
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) {
        return false;
    }
    const auto count = parse_count(item.substr(eq + 1));
    const auto name = item.substr(0, eq);
    if (!count || (name != "midstream-error-after" && name != "truncate-after")) {
        return false;
    }
    (name == "truncate-after" ? plan.truncate_after : plan.midstream_error_after) = count;
    return true;
}

}  // namespace

std::optional<std::uint64_t> parse_count(std::string_view text) {
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

std::optional<fault_plan> parse_fault_spec(std::string_view spec) {
    fault_plan plan;
    if (trim(spec) == "none") {
        return plan;
    }
    while (!spec.empty()) {
        const auto comma = spec.find(',');
        const auto item = trim(spec.substr(0, comma));
        if (!apply_fault(item, plan)) {
            return std::nullopt;
        }
        spec = comma == std::string_view::npos ? std::string_view{} : spec.substr(comma + 1);
    }
    return plan;
}

}  // namespace sim
