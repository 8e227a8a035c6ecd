#include "chimera/store/sqlite_database.hpp"

#include <sqlite3.h>

#include "chimera/store/run_store.hpp"

namespace chimera::service {

sqlite_statement::sqlite_statement(sqlite3* db, std::string_view sql) : db_(db) {
    if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &statement_, nullptr) != SQLITE_OK) {
        fail("prepare");
    }
}

sqlite_statement::~sqlite_statement() { sqlite3_finalize(statement_); }

void sqlite_statement::fail(std::string_view what) const {
    const char* sql = statement_ != nullptr ? sqlite3_sql(statement_) : "";
    throw store_error("run store: " + std::string{what} + " failed: " + sqlite3_errmsg(db_) + " (" +
                      std::string{sql != nullptr ? sql : ""} + ")");
}

sqlite_statement& sqlite_statement::bind(int index, std::int64_t value) {
    if (sqlite3_bind_int64(statement_, index, value) != SQLITE_OK) fail("bind");
    return *this;
}

sqlite_statement& sqlite_statement::bind(int index, std::string_view value) {
    if (sqlite3_bind_text(statement_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT) !=
        SQLITE_OK) {
        fail("bind");
    }
    return *this;
}

sqlite_statement& sqlite_statement::bind(int index, const std::optional<std::string>& value) {
    return value ? bind(index, std::string_view{*value}) : bind_null(index);
}

sqlite_statement& sqlite_statement::bind(int index, std::optional<std::int64_t> value) {
    return value ? bind(index, *value) : bind_null(index);
}

sqlite_statement& sqlite_statement::bind_null(int index) {
    if (sqlite3_bind_null(statement_, index) != SQLITE_OK) fail("bind");
    return *this;
}

bool sqlite_statement::step() {
    const int result = sqlite3_step(statement_);
    if (result == SQLITE_ROW) return true;
    if (result == SQLITE_DONE) return false;
    fail("step");
}

void sqlite_statement::reset() {
    // sqlite3_reset repeats the last step's error code, which step() already reported.
    sqlite3_reset(statement_);
}

std::int64_t sqlite_statement::integer(int column) const { return sqlite3_column_int64(statement_, column); }

std::optional<std::int64_t> sqlite_statement::optional_integer(int column) const {
    if (sqlite3_column_type(statement_, column) == SQLITE_NULL) return std::nullopt;
    return integer(column);
}

std::string sqlite_statement::text(int column) const { return optional_text(column).value_or(std::string{}); }

std::optional<std::string> sqlite_statement::optional_text(int column) const {
    if (sqlite3_column_type(statement_, column) == SQLITE_NULL) return std::nullopt;
    const auto* bytes = sqlite3_column_text(statement_, column);
    const auto size = static_cast<std::size_t>(sqlite3_column_bytes(statement_, column));
    return std::string{reinterpret_cast<const char*>(bytes), size};
}

namespace {

/// SQLite's page cache writes a bulk of 20 pages at the first page it caches, each slot when it
/// is made, though a start reads a dozen pages and a request a few. Where a page fault costs tens
/// of microseconds (a virtual machine's), that was 43 of the 235 faults of `chimera serve` up to
/// its first answer; pages are now taken one at a time.
void configure_sqlite() {
    [[maybe_unused]] static const bool configured = [] {
        sqlite3_config(SQLITE_CONFIG_PAGECACHE, nullptr, 0, 0);
        return true;
    }();
}

}  // namespace

sqlite_database::sqlite_database(const std::filesystem::path& file) {
    configure_sqlite();
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(file.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
        const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        throw store_error("run store: cannot open " + file.string() + ": " + message);
    }
}

sqlite_database::~sqlite_database() {
    statements_.clear();  // sqlite3_close refuses to close with statements left unfinalised
    sqlite3_close(db_);
}

void sqlite_database::execute(std::string_view sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, std::string{sql}.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
        const std::string text = message != nullptr ? message : sqlite3_errmsg(db_);
        sqlite3_free(message);
        throw store_error("run store: " + text + " (" + std::string{sql} + ")");
    }
}

sqlite_statement sqlite_database::prepare(std::string_view sql) { return sqlite_statement{db_, sql}; }

reused_statement sqlite_database::reuse(const std::string& sql) {
    auto& statement = statements_[sql];
    if (!statement) statement = std::make_unique<sqlite_statement>(db_, sql);
    return reused_statement{statement.get()};
}

std::int64_t sqlite_database::changes() const { return sqlite3_changes64(db_); }

sqlite_transaction::sqlite_transaction(sqlite_database& db) : db_(db) { db_.execute("BEGIN IMMEDIATE"); }

sqlite_transaction::~sqlite_transaction() {
    if (open_) {
        try {
            db_.execute("ROLLBACK");
        } catch (const store_error&) {  // NOLINT(bugprone-empty-catch): nothing left to undo
        }
    }
}

void sqlite_transaction::commit() {
    db_.execute("COMMIT");
    open_ = false;
}

}  // namespace chimera::service
