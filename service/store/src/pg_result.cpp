#include "pg_result.hpp"

#include <charconv>

#include "chimera/store/run_store.hpp"
#include "libpq_api.hpp"

namespace chimera::service {

std::int64_t pg_result::affected() const {
    const std::string count = libpq().PQcmdTuples(result_.get());
    return count.empty() ? 0 : std::stoll(count);
}

std::string pg_result::text(int row, int column) const {
    return {libpq().PQgetvalue(result_.get(), row, column),
            static_cast<std::size_t>(libpq().PQgetlength(result_.get(), row, column))};
}

std::optional<std::string> pg_result::optional_text(int row, int column) const {
    if (is_null(row, column)) return std::nullopt;
    return text(row, column);
}

std::int64_t pg_result::integer(int row, int column) const {
    const char* value = libpq().PQgetvalue(result_.get(), row, column);
    const char* end = value + libpq().PQgetlength(result_.get(), row, column);
    std::int64_t parsed = 0;
    const auto [rest, error] = std::from_chars(value, end, parsed);
    if (error != std::errc{} || rest != end) {
        std::string message = "run store: column ";
        message.append(libpq().PQfname(result_.get(), column)).append(" is not an integer: ").append(value, end);
        throw store_error(message);
    }
    return parsed;
}

std::optional<std::int64_t> pg_result::optional_integer(int row, int column) const {
    if (is_null(row, column)) return std::nullopt;
    return integer(row, column);
}

}  // namespace chimera::service
