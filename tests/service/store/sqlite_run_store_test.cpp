// What only the SQLite store has: its file in the state directory, made whole and in WAL mode, and the
// migrations of files older builds made. The behaviour every store shares is in run_store_contract_test.cpp.
#include "chimera/store/sqlite_run_store.hpp"

#include <chrono>
#include <fstream>

#include <gtest/gtest.h>

#include "chimera/store/sqlite_database.hpp"
#include "service_test_support.hpp"

namespace chimera::service {
namespace {

using namespace std::chrono_literals;

const core::wall_time file_t0 = core::wall_time{} + std::chrono::hours{24 * 365 * 56};

run_submission file_submission(std::string id) {
    return {id, "gemma3:latest", "label-" + id, R"({"data_dir":"bench"})", std::nullopt, file_t0, "req-" + id};
}

TEST(sqlite_run_store_test, a_version_2_database_is_migrated_and_keeps_its_runs) {
    test::temp_dir old_dir;
    {
        sqlite_database old{old_dir.path() / "runs.db"};
        old.execute(R"sql(
CREATE TABLE runs (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, state TEXT NOT NULL,
    attempt INTEGER NOT NULL DEFAULT 0, owner TEXT, lease_until_ms INTEGER,
    cancel_requested INTEGER NOT NULL DEFAULT 0, model TEXT NOT NULL, label TEXT, request TEXT NOT NULL,
    idempotency_key TEXT UNIQUE, created_ms INTEGER NOT NULL, finished_ms INTEGER, error_type TEXT,
    error_detail TEXT, document TEXT, report TEXT, agent_report TEXT, sweep_id TEXT, sweep_index INTEGER,
    sweep_arm TEXT);
INSERT INTO runs (id, state, attempt, model, request, created_ms) VALUES ('old', 'queued', 1, 'm', '{}', 0);
PRAGMA user_version = 2;
)sql");
    }
    sqlite_run_store migrated{old_dir.path()};
    const auto run = migrated.claim_next("me", file_t0 + 30s, file_t0);
    ASSERT_TRUE(run);
    EXPECT_EQ(run->id, "old");
    EXPECT_EQ(run->attempt, 2);
    EXPECT_EQ(run->handbacks, 0);
    EXPECT_FALSE(run->request_id) << "runs from before version 4 have none";
    EXPECT_TRUE(migrated.release("old", run->attempt));
    EXPECT_EQ(migrated.find("old")->handbacks, 1);
    EXPECT_NO_THROW(migrated.check_writable()) << "version 4's write_probe table exists";
}

void expect_current_wal_database(const std::filesystem::path& file) {
    sqlite_database db{file};
    auto mode = db.prepare("PRAGMA journal_mode");
    ASSERT_TRUE(mode.step());
    EXPECT_EQ(mode.text(0), "wal");
    auto version = db.prepare("PRAGMA user_version");
    ASSERT_TRUE(version.step());
    EXPECT_EQ(version.integer(0), 4);
}

TEST(sqlite_run_store_test, a_new_database_is_whole_and_in_wal_mode) {
    test::temp_dir dir;
    {
        sqlite_run_store store{dir.path()};
        store.submit(file_submission("a"));
    }
    sqlite_run_store reopened{dir.path()};
    EXPECT_TRUE(reopened.find("a"));
    expect_current_wal_database(dir.path() / "runs.db");
}

// A new database's schema is written without a sync, so a power loss can leave an empty file, or
// its first page without the schema's commit (which was in the WAL): the next start writes it again.
TEST(sqlite_run_store_test, what_a_crash_leaves_of_a_new_database_gets_its_schema_again) {
    test::temp_dir empty_file;
    std::ofstream{empty_file.path() / "runs.db"};
    test::temp_dir first_page_only;
    {
        sqlite_database db{first_page_only.path() / "runs.db"};
        db.execute("PRAGMA journal_mode = WAL");
    }
    for (const auto* dir : {&empty_file, &first_page_only}) {
        {
            sqlite_run_store store{dir->path()};
            store.submit(file_submission("a"));
            EXPECT_TRUE(store.find("a"));
        }
        expect_current_wal_database(dir->path() / "runs.db");
    }
}

}  // namespace
}  // namespace chimera::service
