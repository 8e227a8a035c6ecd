// What only the PostgreSQL store has to show: replicas sharing one database (concurrent claims, idempotency
// keys and migrations), the clock offset, connections the server drops, and the error a bad address gives.
// The behaviour every store shares is in run_store_contract_test.cpp and sweep_store_contract_test.cpp.
#include "chimera/store/pg_run_store.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <latch>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "pg_connection.hpp"
#include "postgres_server.hpp"
#include "store_contract.hpp"

namespace chimera::service {
namespace {

using namespace std::chrono_literals;

pg_store_settings settings_for(std::string conninfo, std::size_t connections = 4) {
    return {std::move(conninfo), connections, 5s, 5s};
}

run_submission pg_submission(const std::string& id, std::optional<std::string> key = std::nullopt) {
    return {id, "gemma3:latest", std::nullopt, "{}", std::move(key), std::chrono::system_clock::now(), std::nullopt};
}

/// A plain connection to the test's database, for what the store does not expose.
pg_connection connect_to(const std::string& conninfo) { return pg_connection{{conninfo, 5s, "test"}, 5s}; }

/// Terminates the store's connections to `conninfo`'s database named `application` and waits until they are
/// gone; returns how many there were.
std::int64_t terminate_connections(const std::string& conninfo, const std::string& application) {
    auto admin = connect_to(conninfo);
    return admin
        .query(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = $1",
            pg_params{}.add(application))
        .integer(0, 0);
}

class pg_run_store_test : public testing::Test {
protected:
    std::string conninfo_ = test::fresh_postgres_database();
    pg_run_store store_{settings_for(conninfo_)};
};

TEST_F(pg_run_store_test, concurrent_claims_from_two_replicas_never_hand_a_run_to_two_claimers) {
    constexpr int threads = 8;
    constexpr int runs_per_thread = 200;
    pg_run_store replica{settings_for(conninfo_)};
    for (int i = 0; i < threads * runs_per_thread; ++i) store_.submit(pg_submission("r" + std::to_string(i)));

    std::mutex mutex;
    std::vector<std::string> claimed;
    std::latch start{threads};
    std::vector<std::jthread> claimers;
    for (int t = 0; t < threads; ++t) {
        claimers.emplace_back([&, t] {
            run_store& store = t % 2 == 0 ? static_cast<run_store&>(store_) : replica;
            const auto lease = std::chrono::system_clock::now() + 1h;
            start.arrive_and_wait();
            while (const auto run = store.claim_next("claimer-" + std::to_string(t), lease, lease - 1h)) {
                EXPECT_EQ(run->attempt, 1);
                std::lock_guard lock{mutex};
                claimed.push_back(run->id);
            }
        });
    }
    claimers.clear();
    ASSERT_EQ(claimed.size(), static_cast<std::size_t>(threads * runs_per_thread));
    EXPECT_EQ(std::set<std::string>(claimed.begin(), claimed.end()).size(), claimed.size()) << "a run claimed twice";
    EXPECT_EQ(store_.count_queued(), 0U);
}

TEST_F(pg_run_store_test, concurrent_submits_with_one_idempotency_key_make_one_run) {
    constexpr int submitters = 100;
    std::latch start{submitters};
    std::mutex mutex;
    std::set<std::string> answers;
    std::vector<std::jthread> threads;
    for (int i = 0; i < submitters; ++i) {
        threads.emplace_back([&, i] {
            start.arrive_and_wait();
            const auto run = store_.submit(pg_submission("s" + std::to_string(i), "one-key"));
            std::lock_guard lock{mutex};
            answers.insert(run.id);
        });
    }
    threads.clear();
    ASSERT_EQ(answers.size(), 1U) << "every submitter must be answered with the one run";
    EXPECT_EQ(store_.count_queued(), 1U);
    EXPECT_EQ(store_.find_by_idempotency_key("one-key")->id, *answers.begin());
}

TEST(pg_run_store_schema_test, replicas_starting_together_migrate_once) {
    const auto conninfo = test::fresh_postgres_database();
    constexpr int replicas = 8;
    std::latch start{replicas};
    std::atomic<int> started{0};
    std::vector<std::jthread> threads;
    for (int i = 0; i < replicas; ++i) {
        threads.emplace_back([&] {
            start.arrive_and_wait();
            EXPECT_NO_THROW(pg_run_store{settings_for(conninfo, 1)});
            ++started;
        });
    }
    threads.clear();
    EXPECT_EQ(started.load(), replicas);
    auto connection = connect_to(conninfo);
    const auto versions = connection.execute("SELECT count(*), max(version) FROM chimera_schema");
    EXPECT_EQ(versions.integer(0, 0), 1) << "version 1 applied once";
    EXPECT_EQ(versions.integer(0, 1), 1);
}

TEST(pg_run_store_schema_test, a_schema_newer_than_the_build_is_refused_with_a_reason) {
    const auto conninfo = test::fresh_postgres_database();
    { pg_run_store first{settings_for(conninfo)}; }
    connect_to(conninfo).execute("INSERT INTO chimera_schema (version) VALUES (99)");
    try {
        pg_run_store refused{settings_for(conninfo)};
        FAIL() << "a schema of version 99 was accepted";
    } catch (const store_error& e) {
        EXPECT_NE(std::string{e.what()}.find("schema version 99, newer than the version 1"), std::string::npos)
            << e.what();
    }
}

/// A loopback port bound but not listening: connecting to it is refused for as long as it lives.
class refusing_port {
public:
    refusing_port() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
            throw std::runtime_error("cannot bind a loopback port");
        }
        port_ = ntohs(address.sin_port);
    }
    ~refusing_port() { ::close(fd_); }
    refusing_port(const refusing_port&) = delete;
    refusing_port& operator=(const refusing_port&) = delete;

    [[nodiscard]] int port() const { return port_; }

private:
    int fd_;
    int port_ = 0;
};

TEST(pg_run_store_connect_test, an_unreachable_server_is_named_without_the_password) {
    const refusing_port refusing;
    std::string conninfo = "host=127.0.0.1 port=";
    conninfo.append(std::to_string(refusing.port())).append(" dbname=runs user=chimera password=s3cret-pw");
    try {
        pg_run_store unreachable{settings_for(conninfo)};
        FAIL() << "connected to a port nothing listens on";
    } catch (const store_error& e) {
        const std::string message = e.what();
        std::string target = "cannot connect to PostgreSQL at 127.0.0.1:";
        target.append(std::to_string(refusing.port())).append("/runs: ");
        EXPECT_NE(message.find(target), std::string::npos) << message;
        EXPECT_EQ(message.find("s3cret-pw"), std::string::npos) << message;
    }
}

TEST_F(pg_run_store_test, leases_are_compared_in_the_database_clock) {
    // Past and future by the caller's clock stay past and future once shifted into the database's.
    const auto now = std::chrono::system_clock::now();
    store_.submit(pg_submission("expired"));
    ASSERT_TRUE(store_.claim_next("me", now - 1s, now));
    store_.submit(pg_submission("alive"));
    ASSERT_TRUE(store_.claim_next("me", now + 1min, now));
    EXPECT_EQ(store_.recover_expired(std::chrono::system_clock::now(), 3).requeued, 1U);
    EXPECT_EQ(store_.find("expired")->status, core::run_status::queued);
    EXPECT_EQ(store_.find("alive")->status, core::run_status::running);
    const auto created = store_.find("alive")->created_at;
    EXPECT_LE(std::chrono::abs(created - now), 1s) << "times read back in the caller's clock";
}

TEST_F(pg_run_store_test, a_connection_the_server_dropped_is_replaced) {
    pg_run_store single{settings_for(conninfo_, 1)};
    single.submit(pg_submission("a"));
    ASSERT_EQ(terminate_connections(conninfo_, "chimera"), 2) << "this test's two stores, one connection each";
    // The idle connection is seen closed before use and replaced; at worst one call fails, never the next.
    try {
        EXPECT_TRUE(single.find("a"));
    } catch (const store_error& e) {
        ADD_FAILURE() << "the dropped connection was used: " << e.what();
    }
    EXPECT_TRUE(single.find("a"));
    EXPECT_TRUE(store_.find("a"));
}

TEST_F(pg_run_store_test, a_failed_statement_leaves_the_connection_usable) {
    store_.submit(pg_submission("a"));
    EXPECT_THROW(store_.submit(pg_submission("a")), store_error);
    EXPECT_EQ(store_.count_queued(), 1U);
    EXPECT_THROW(store_.submit_sweep({"s",
                                      "m",
                                      std::nullopt,
                                      "{}",
                                      0ms,
                                      std::chrono::system_clock::now(),
                                      {{"b", "baseline", "{}"}, {"a", "ctx", "{}"}}}),
                 store_error);
    EXPECT_FALSE(store_.find_sweep("s")) << "the transaction was rolled back";
    EXPECT_EQ(store_.count_queued(), 1U);
}

TEST_F(pg_run_store_test, a_sweep_is_answered_as_accepted_though_another_replica_starts_it_once_committed) {
    // Stands in for a replica that claims the sweep's first run the moment it is committed: a deferred
    // trigger moves the sweep on at commit. POST /sweeps answers with what submit_sweep returns.
    auto admin = connect_to(conninfo_);
    admin.query(
        "CREATE FUNCTION start_at_commit() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN UPDATE sweeps SET state = 'running' WHERE id = NEW.id; RETURN NULL; END $$",
        pg_params{});
    admin.query(
        "CREATE CONSTRAINT TRIGGER start_at_commit AFTER INSERT ON sweeps DEFERRABLE INITIALLY DEFERRED "
        "FOR EACH ROW EXECUTE FUNCTION start_at_commit()",
        pg_params{});
    const auto accepted = store_.submit_sweep({"s",
                                               "m",
                                               std::nullopt,
                                               "{}",
                                               0ms,
                                               std::chrono::system_clock::now(),
                                               {{"b", "baseline", "{}"}, {"a", "ctx", "{}"}}});
    EXPECT_EQ(accepted.status, core::run_status::queued);
    EXPECT_EQ(accepted.progress.queued, 2);
    EXPECT_EQ(store_.find_sweep("s")->status, core::run_status::running) << "the trigger moved it on at commit";
}

}  // namespace
}  // namespace chimera::service
