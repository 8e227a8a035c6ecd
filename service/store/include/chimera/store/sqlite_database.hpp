#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace chimera::service {

/// One prepared statement: bind by position (1-based), step, read columns (0-based).
/// Failures throw store_error naming the statement's SQL and SQLite's message.
class sqlite_statement {
public:
    sqlite_statement(sqlite3* db, std::string_view sql);
    ~sqlite_statement();
    sqlite_statement(const sqlite_statement&) = delete;
    sqlite_statement& operator=(const sqlite_statement&) = delete;

    sqlite_statement& bind(int index, std::int64_t value);
    sqlite_statement& bind(int index, std::string_view value);
    sqlite_statement& bind(int index, const std::string& value) { return bind(index, std::string_view{value}); }
    sqlite_statement& bind(int index, const std::optional<std::string>& value);
    sqlite_statement& bind(int index, std::optional<std::int64_t> value);
    sqlite_statement& bind_null(int index);

    /// True while a row is available; false when done.
    bool step();
    /// Ready to step again, with new bindings (the old ones stay until rebound).
    void reset();

    [[nodiscard]] std::int64_t integer(int column) const;
    [[nodiscard]] std::optional<std::int64_t> optional_integer(int column) const;
    [[nodiscard]] std::string text(int column) const;
    [[nodiscard]] std::optional<std::string> optional_text(int column) const;

private:
    [[noreturn]] void fail(std::string_view what) const;

    sqlite3* db_;
    sqlite3_stmt* statement_ = nullptr;
};

/// Resets a reused statement when its user is done with it: a statement left on a row
/// would hold its read snapshot open, hiding other processes' writes and blocking checkpoints.
struct statement_reset {
    void operator()(sqlite_statement* statement) const noexcept { statement->reset(); }
};
using reused_statement = std::unique_ptr<sqlite_statement, statement_reset>;

/// An open SQLite database file. Not thread-safe: one owner thread.
class sqlite_database {
public:
    explicit sqlite_database(const std::filesystem::path& file);
    ~sqlite_database();
    sqlite_database(const sqlite_database&) = delete;
    sqlite_database& operator=(const sqlite_database&) = delete;

    void execute(std::string_view sql);
    [[nodiscard]] sqlite_statement prepare(std::string_view sql);
    /// `sql` prepared on first use and kept: for the statements of every request, where
    /// compiling the SQL cost more than running it. One user of a given SQL at a time.
    [[nodiscard]] reused_statement reuse(const std::string& sql);
    /// Rows the last INSERT/UPDATE/DELETE changed.
    [[nodiscard]] std::int64_t changes() const;

private:
    sqlite3* db_ = nullptr;
    std::unordered_map<std::string, std::unique_ptr<sqlite_statement>> statements_;
};

/// BEGIN IMMEDIATE … COMMIT, rolled back when the scope unwinds without commit().
class sqlite_transaction {
public:
    explicit sqlite_transaction(sqlite_database& db);
    ~sqlite_transaction();
    sqlite_transaction(const sqlite_transaction&) = delete;
    sqlite_transaction& operator=(const sqlite_transaction&) = delete;

    void commit();

private:
    sqlite_database& db_;
    bool open_ = true;
};

}  // namespace chimera::service
