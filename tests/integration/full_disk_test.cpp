// A full disk under the state directory (issue 16, item 5), for real: a small tmpfs, filled.
// Readiness drops and POST /runs answers 503 with Retry-After while the store cannot write;
// a run that ends meanwhile keeps its result until it can be written; nothing is lost.
// Mounting needs root, as CI runs: without it the test fails, it does not skip.
#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "http_client_poll.hpp"
#include "service_stack.hpp"

namespace chimera::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

/// A tmpfs of `size` mounted on a new directory, unmounted when done.
class small_tmpfs {
public:
    explicit small_tmpfs(const std::string& size) {
        const auto options = "size=" + size;
        if (::mount("tmpfs", dir_.path().c_str(), "tmpfs", 0, options.c_str()) != 0) {
            throw std::runtime_error(std::string{"cannot mount a tmpfs (the test needs root): "} +
                                     std::strerror(errno));
        }
    }
    ~small_tmpfs() { ::umount2(dir_.path().c_str(), MNT_DETACH); }
    small_tmpfs(const small_tmpfs&) = delete;
    small_tmpfs& operator=(const small_tmpfs&) = delete;

    [[nodiscard]] const std::filesystem::path& path() const { return dir_.path(); }

private:
    temp_dir dir_;
};

/// Writes `file` until the filesystem refuses another byte.
void fill(const std::filesystem::path& file) {
    std::ofstream out{file, std::ios::binary};
    const std::string block(4096, 'x');
    while (out.write(block.data(), static_cast<std::streamsize>(block.size()))) out.flush();
}

TEST(FullDisk, ReadinessDropsPostsAre503AndAFinishedRunIsKeptUntilItCanBeWritten) {
    const small_tmpfs disk{"8m"};
    const auto state = disk.path() / "state";
    service_stack s{{"--tokens", "100", "--tokens-per-second", "20"}, {"--state-dir", state.string()}};
    const auto before = s.submit({{"data_dir", "tr109"}});
    poll_until(
        s.sim_port, "/sim/stats", [](const http_reply& r) { return !generate_requests(json::parse(r.body)).empty(); },
        20s);

    fill(disk.path() / "filler");
    const auto not_ready = poll_until(
        s.port, "/readyz", [](const http_reply& r) { return r.status == 503; }, 10s);
    EXPECT_FALSE(json::parse(not_ready.body).at("store").at("writable").get<bool>()) << not_ready.body;
    const auto refused = http_request(s.port, "POST", "/runs", R"({"data_dir":"tr109"})");
    EXPECT_EQ(refused.status, 503U) << refused.body;
    EXPECT_EQ(refused.headers.count("retry-after"), 1U);
    EXPECT_EQ(refused.headers.at("content-type"), "application/problem+json");
    EXPECT_EQ(http_request(s.port, "POST", "/runs", R"({"data_dir":)").status, 400U) << "bad input is still a 400";
    EXPECT_EQ(http_request(s.port, "GET", "/runs/" + before).status, 200U) << "reads need no room";
    EXPECT_EQ(metric_value(s.metrics(), "chimera_store_writable"), 0.0);

    // The run ends while the disk is full: its result is served, and its files wait.
    const auto ended = s.wait_finished(before);
    EXPECT_EQ(ended.at("status"), "succeeded") << ended.dump();
    const auto run_dir = state / "runs" / before;
    EXPECT_FALSE(std::filesystem::exists(run_dir / "run.json")) << "no room for it yet";

    std::filesystem::remove(disk.path() / "filler");
    poll_until(
        s.port, "/readyz", [](const http_reply& r) { return r.status == 200; }, 10s);
    poll_until(
        s.port, "/runs/" + before + "/report", [](const http_reply& r) { return r.status == 200; }, 10s);
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!std::filesystem::exists(run_dir / "run.json") && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(20ms);  // polling interval: the file's presence decides
    }
    EXPECT_TRUE(std::filesystem::exists(run_dir / "run.json")) << "written once there was room";
    EXPECT_EQ(json::parse(read_text(run_dir / "run.json")).at("status"), "succeeded");
    const auto after = s.submit({{"data_dir", "tr109"}});
    EXPECT_EQ(s.wait_finished(after).at("status"), "succeeded");
    EXPECT_EQ(metric_value(s.metrics(), "chimera_store_writable"), 1.0);
}

}  // namespace
}  // namespace chimera::testing
