#include "sim_faults.hpp"

#include <algorithm>
#include <charconv>
#include <iterator>

namespace sim {
namespace {

std::string_view trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
        return {};
    }
    return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

// The items that take one count, `name=N`.
struct count_item {
    std::string_view name;
    std::optional<std::uint64_t> fault_plan::*field;
};

constexpr count_item count_items[] = {
    {"midstream-error-after", &fault_plan::midstream_error_after},
    {"truncate-after", &fault_plan::truncate_after},
    {"busy-first", &fault_plan::busy_first},
    {"reset-first", &fault_plan::reset_first},
    {"garbage-line-after", &fault_plan::garbage_line_after},
    {"tokens-per-second", &fault_plan::tokens_per_second},
};

// `N:MS`: both halves or nothing.
bool apply_stall(std::string_view value, fault_plan& plan) {
    const auto colon = value.find(':');
    if (colon == std::string_view::npos) {
        return false;
    }
    plan.stall_after = parse_count(value.substr(0, colon));
    plan.stall_for = parse_stall_ms(value.substr(colon + 1));
    return plan.stall_after && plan.stall_for;
}

bool apply_fault(std::string_view item, fault_plan& plan) {
    if (item == "split-writes") {
        plan.split_writes = true;
        return true;
    }
    if (item == "split-every-byte") {
        plan.split_every_byte = true;
        return true;
    }
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) {
        return false;
    }
    const auto name = item.substr(0, eq);
    const auto value = item.substr(eq + 1);
    if (name == "stall-after") {
        return apply_stall(value, plan);
    }
    if (name == "status") {
        plan.status = parse_status(value);
        return plan.status.has_value();
    }
    if (name == "load-ms") {
        plan.load_delay = parse_stall_ms(value);
        return plan.load_delay.has_value();
    }
    const auto* entry = std::find_if(std::begin(count_items), std::end(count_items),
                                     [&](const count_item& c) { return c.name == name; });
    const auto count = parse_count(value);
    if (entry == std::end(count_items) || !count) {
        return false;
    }
    if (entry->field == &fault_plan::tokens_per_second && *count == 0) {
        return false;
    }
    plan.*(entry->field) = count;
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

std::optional<unsigned> parse_status(std::string_view text) {
    const auto count = parse_count(text);
    if (!count || *count < 400 || *count > 599) {
        return std::nullopt;
    }
    return static_cast<unsigned>(*count);
}

std::optional<std::chrono::milliseconds> parse_stall_ms(std::string_view text) {
    const auto count = parse_count(text);
    if (!count || *count > static_cast<std::uint64_t>(max_stall.count())) {
        return std::nullopt;
    }
    return std::chrono::milliseconds{static_cast<std::chrono::milliseconds::rep>(*count)};
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
