#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chimera/asio/awaitable.hpp"
#include "chimera/backend/backend_settings.hpp"
#include "chimera/core/ingest/benchmark_ingest.hpp"
#include "chimera/core/llm/run_options.hpp"
#include "chimera/core/run/run_document.hpp"
#include "chimera/runs/run_pipeline.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace chimera::service {

class run_cancellation;

/// Where `chimera run` and `chimera sweep` execute runs without a server or a store: one io
/// thread, two threads for file ingestion, the backends (a keep-alive pool each), and SIGINT or
/// SIGTERM cancelling the run in flight (which closes its stream: Ollama stops generating).
class local_runtime {
public:
    local_runtime(std::vector<backend_settings> backends, core::ingest_limits limits);
    ~local_runtime();
    local_runtime(const local_runtime&) = delete;
    local_runtime& operator=(const local_runtime&) = delete;

    [[nodiscard]] run_pipeline_services services();
    [[nodiscard]] run_cancellation& cancellation();
    [[nodiscard]] boost::asio::io_context& io();

    /// Runs `work` on the io thread until it ends; a signal cancels the run in flight and calls
    /// `on_signal` (to cut a pause short). Rethrows what `work` threw.
    void run(awaitable<void> work, std::function<void()> on_signal = {});

private:
    struct parts;
    std::unique_ptr<parts> parts_;
};

/// The document of a run executed here: a new id, created now.
[[nodiscard]] core::run_document local_run_document(std::string model,
                                                    core::run_options options,
                                                    std::optional<std::string> label,
                                                    const std::filesystem::path& data_dir);

}  // namespace chimera::service
