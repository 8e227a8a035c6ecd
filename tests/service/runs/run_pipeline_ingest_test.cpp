// The ingest stage of a run: limits and confinement end the run with a typed error,
// before any backend call (the backend here points at nothing); so do options the backend
// cannot take, before ingest.
#include <fstream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "chimera/backend/backend_fleet.hpp"
#include "chimera/backend/run_cancellation.hpp"
#include "chimera/runs/data_root.hpp"
#include "chimera/runs/run_pipeline.hpp"
#include "chimera/telemetry/service_metrics.hpp"
#include "service_test_support.hpp"

namespace chimera::service {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;

class run_pipeline_ingest : public testing::Test {
protected:
    run_pipeline_ingest() {
        fs::create_directories(tmp_.path() / "root" / "bench");
        for (const auto* name : {"a.md", "b.md", "c.md"})
            std::ofstream(tmp_.path() / "root" / "bench" / name) << "# h\n";
    }

    [[nodiscard]] fs::path tmp_path() const { return tmp_.path(); }
    [[nodiscard]] fs::path root_dir() const { return tmp_.path() / "root"; }

    core::run_document execute(const core::ingest_limits& limits,
                               const data_root* roots,
                               fs::path data_dir,
                               const core::run_options& options = {}) {
        core::run_document run;
        run.id = "run-1";
        run.model = "m";
        run.data_dir = "bench";
        run.options = options;
        backend_fleet fleet{io_.get_executor(), {backend_}, metrics_};
        const run_pipeline_services services{fleet, blocking_, metrics_, limits, roots};
        auto done =
            asio::co_spawn(io_, execute_run(services, run, std::move(data_dir), cancellation_), asio::use_future);
        io_.run();
        done.get();
        return run;
    }

    backend_settings backend_;

private:
    test::temp_dir tmp_;
    asio::io_context io_{1};
    asio::thread_pool blocking_{2};
    service_metrics metrics_;
    run_cancellation cancellation_;
};

TEST_F(run_pipeline_ingest, a_run_over_the_file_limit_fails_as_ingest_limit_exceeded) {
    core::ingest_limits limits;
    limits.max_files = 2;
    const auto run = execute(limits, nullptr, root_dir() / "bench");
    EXPECT_EQ(run.status, core::run_status::failed);
    ASSERT_TRUE(run.error);
    EXPECT_EQ(run.error->type, core::failure_type::ingest_limit_exceeded);
    EXPECT_EQ(run.error->detail,
              "data_dir 'bench': data_dir holds more than 2 benchmark files, the per-run file limit");
    EXPECT_TRUE(run.calls.empty()) << "no backend call after a failed ingest";
    ASSERT_TRUE(run.ingest);
    EXPECT_EQ(run.ingest->files, 2U) << "the run document shows what was read up to the limit";
}

TEST_F(run_pipeline_ingest, a_run_over_the_byte_limit_fails_as_ingest_limit_exceeded) {
    core::ingest_limits limits;
    limits.max_run_bytes = 8;
    const auto run = execute(limits, nullptr, root_dir() / "bench");
    ASSERT_TRUE(run.error);
    EXPECT_EQ(run.error->type, core::failure_type::ingest_limit_exceeded);
}

TEST_F(run_pipeline_ingest, the_data_dir_is_opened_again_beneath_its_root) {
    const data_root roots{{root_dir()}};
    const auto resolved = std::get<fs::path>(roots.resolve("bench"));
    // Swapped for a link out of the root after the request was accepted: the run reads nothing.
    fs::rename(root_dir() / "bench", tmp_path() / "moved");
    fs::create_directory_symlink(tmp_path() / "moved", root_dir() / "bench");
    const auto run = execute({}, &roots, resolved);
    ASSERT_TRUE(run.error);
    EXPECT_EQ(run.error->type, core::failure_type::ingest_failed);
    EXPECT_FALSE(run.ingest);
}

// POST /runs answers such a request 400; a run that reaches an OpenAI-compatible backend
// another way (chimera run, a stored request) fails naming the options, before any work.
TEST_F(run_pipeline_ingest, options_the_backend_cannot_take_fail_the_run_before_ingest_naming_them) {
    backend_.kind = core::backend_kind::openai;
    backend_.name = "vllm";
    core::run_options options;
    options.num_ctx = 1024;
    options.temperature = 0.5;
    options.repeat_penalty = 1.1;
    const auto run = execute({}, nullptr, root_dir() / "bench", options);
    EXPECT_EQ(run.status, core::run_status::failed);
    ASSERT_TRUE(run.error);
    EXPECT_EQ(run.error->type, core::failure_type::unsupported_options);
    EXPECT_TRUE(run.error->detail.starts_with("backend vllm (openai) cannot take the options num_ctx, repeat_penalty:"))
        << run.error->detail;
    EXPECT_FALSE(run.ingest) << "refused before ingest";
    EXPECT_TRUE(run.calls.empty());
}

}  // namespace
}  // namespace chimera::service
