#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <libpq-fe.h>

#include "libpq_api.hpp"

namespace chimera::service {

/// A PGresult, cleared when dropped; reads cells as text or integers (row and column 0-based).
class pg_result {
public:
    explicit pg_result(PGresult* result) : result_(result, libpq().PQclear) {}

    [[nodiscard]] int rows() const { return libpq().PQntuples(result_.get()); }
    /// Rows an INSERT/UPDATE/DELETE changed.
    [[nodiscard]] std::int64_t affected() const;
    [[nodiscard]] bool is_null(int row, int column) const {
        return libpq().PQgetisnull(result_.get(), row, column) != 0;
    }
    [[nodiscard]] std::string text(int row, int column) const;
    [[nodiscard]] std::optional<std::string> optional_text(int row, int column) const;
    [[nodiscard]] std::int64_t integer(int row, int column) const;
    [[nodiscard]] std::optional<std::int64_t> optional_integer(int row, int column) const;
    [[nodiscard]] bool boolean(int row, int column) const { return text(row, column) == "t"; }

private:
    std::unique_ptr<PGresult, decltype(&PQclear)> result_;
};

}  // namespace chimera::service
