#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chimera::service {

/// The parameters of one statement ($1, $2, … in order), in libpq's text format; nullopt is NULL.
class pg_params {
public:
    pg_params& add(std::string_view value) {
        values_.emplace_back(std::string{value});
        return *this;
    }
    pg_params& add(const char* value) { return add(std::string_view{value}); }
    pg_params& add(const std::string& value) { return add(std::string_view{value}); }
    pg_params& add(std::int64_t value) {
        values_.emplace_back(std::to_string(value));
        return *this;
    }
    pg_params& add(const std::optional<std::string>& value) {
        values_.push_back(value);
        return *this;
    }
    pg_params& add(std::optional<std::int64_t> value) {
        if (value) return add(*value);
        values_.emplace_back(std::nullopt);
        return *this;
    }

    [[nodiscard]] const std::vector<std::optional<std::string>>& values() const { return values_; }

private:
    std::vector<std::optional<std::string>> values_;
};

}  // namespace chimera::service
