// Escape attempts against the confined ingest: a data_dir that tries to leave the root, and
// entries inside the root that lead out of it. Each case proves that not one byte outside
// was read: an inotify watch on the outside tree records every open and read there, and the
// sentinel files' marker must appear nowhere in what the ingest returns.
#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <functional>
#include <future>

#include <gtest/gtest.h>

#include "chimera/core/ingest/benchmark_ingest.hpp"
#include "chimera/core/run/data_summary.hpp"
#include "open_beneath.hpp"
#include "regular_file_read.hpp"
#include "test_support.hpp"

namespace chimera::core {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr std::string_view marker = "SENTINEL-7f3a9c-OUTSIDE-THE-ROOT";
constexpr std::string_view marker_value = "987654.321";  // a harvestable number only the sentinels hold
constexpr std::string_view passwd_marker = "root:x:0:0";
constexpr auto prompt_deadline = 10s;  // far above the milliseconds a scan takes; only a block reaches it

/// Every open and read inside the watched directories (the directories themselves included).
class access_watch {
public:
    explicit access_watch(const std::vector<fs::path>& dirs) : fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
        if (!fd_) throw std::system_error(errno, std::generic_category(), "inotify_init1");
        for (const auto& dir : dirs) {
            if (::inotify_add_watch(fd_.get(), dir.c_str(), IN_OPEN | IN_ACCESS) < 0) {
                throw std::system_error(errno, std::generic_category(), "inotify_add_watch");
            }
        }
    }

    /// The names of the entries opened or read since the watch started ("." for a watched directory itself).
    [[nodiscard]] std::vector<std::string> accesses() const {
        std::vector<std::string> names;
        alignas(inotify_event) char buffer[4096];
        while (true) {
            const auto n = ::read(fd_.get(), buffer, sizeof buffer);
            if (n <= 0) return names;
            for (char* p = buffer; p < buffer + n;) {
                const auto* event = reinterpret_cast<const inotify_event*>(p);
                names.emplace_back(event->len > 0 ? event->name : ".");
                p += sizeof(inotify_event) + event->len;
            }
        }
    }

private:
    unique_fd fd_;
};

/// <tmp>/root is the data root; <tmp>/outside and <tmp>/outside/sub hold sentinel files.
class confinement : public ::testing::Test {
public:
    confinement() {
        for (const auto* name : {"secret.json", "sub/secret.json"}) {
            outside_.write(name, R"({"ttft_)" + std::string(marker) + R"(": )" + std::string(marker_value) + "}");
        }
        for (const auto* name : {"secret.csv", "sub/secret.csv"}) {
            outside_.write(name,
                           "tokens_per_second," + std::string(marker) + "\n" + std::string(marker_value) + ",1\n");
        }
        outside_.write("secret.md", "# " + std::string(marker) + "\n");
        root_.write("ok.md", "# inside\n");
        fs::create_directories(root() / "sub" / "deeper");
    }

    [[nodiscard]] fs::path root() const { return root_.path(); }
    [[nodiscard]] fs::path outside() const { return outside_.path(); }

    void link(const std::string& target, const std::string& at) const { fs::create_symlink(target, root() / at); }

    void write_inside(const std::string& name, std::string_view content) const { root_.write(name, content); }

    void fifo(const std::string& at) const { ASSERT_EQ(::mkfifo((root() / at).c_str(), 0600), 0) << at; }

protected:
    /// Starts recording accesses outside; set up every case before this.
    void watch() { watch_.emplace(std::vector<fs::path>{outside(), outside() / "sub"}); }

    void expect_nothing_outside_was_touched() const {
        const auto accesses = watch_->accesses();
        EXPECT_TRUE(accesses.empty()) << "opened or read outside the root: " << ::testing::PrintToString(accesses);
    }

    /// Ingests `dir` on another thread, so that a FIFO that did block fails the test instead of hanging it.
    [[nodiscard]] ingest_result ingest_promptly(const confined_directory& dir) const {
        auto scan = std::async(std::launch::async, [&dir] { return ingest_directory(dir, {}, 2); });
        if (scan.wait_for(prompt_deadline) != std::future_status::ready) {
            unblock_fifos();
            ADD_FAILURE() << "the ingest blocked";
        }
        return scan.get();
    }

    /// Opening a FIFO read-write never blocks, and it releases a reader stuck in open().
    void unblock_fifos() const {
        for (const auto& entry : fs::recursive_directory_iterator(root())) {
            if (entry.is_fifo()) ::close(::open(entry.path().c_str(), O_RDWR | O_NONBLOCK));
        }
    }

private:
    test::temp_dir outside_;
    test::temp_dir root_;
    std::optional<access_watch> watch_;
};

/// All the text an ingest hands on: result fields and the prompt's data summary.
std::string everything_in(const ingest_result& result) {
    std::string text = render_data_summary(result);
    for (const auto* list : {&result.first_csv, &result.first_json, &result.first_markdown}) {
        for (const auto& file : *list) text += file + "\n";
    }
    for (const auto& metric : result.metrics) text += metric.file + metric.key + std::to_string(metric.value) + "\n";
    for (const auto* list : {&result.errors, &result.warnings}) {
        for (const auto& entry : *list) text += entry.file + ": " + entry.error + "\n";
    }
    return text + result.limit_exceeded.value_or("");
}

void expect_no_sentinel(const ingest_result& result) {
    const auto text = everything_in(result);
    EXPECT_EQ(text.find(marker), std::string::npos) << text;
    EXPECT_EQ(text.find("987654"), std::string::npos) << text;
    EXPECT_EQ(text.find(passwd_marker), std::string::npos) << text;
}

// ---- data_dir that tries to leave the root: refused, by openat2 and by the fallback walk ----

struct data_dir_case {
    std::string name;
    std::function<void(const confinement&)> setup;
    std::function<std::string(const confinement&)> data_dir;
};

void PrintTo(const data_dir_case& escape, std::ostream* out) { *out << escape.name; }

enum class resolver { openat2, component_walk };

class data_dir_escape : public confinement, public ::testing::WithParamInterface<std::tuple<data_dir_case, resolver>> {
protected:
    /// The opened directory, or -errno.
    [[nodiscard]] int open_data_dir(std::string_view data_dir) const {
        const auto top = confined_directory::open(root());
        if (std::get<resolver>(GetParam()) == resolver::component_walk) {
            return detail::open_beneath_by_components(top.fd(), data_dir);
        }
        return detail::open_beneath_openat2(top.fd(), data_dir);
    }
};

TEST_P(data_dir_escape, is_refused_and_reads_nothing_outside) {
    const auto& escape = std::get<data_dir_case>(GetParam());
    escape.setup(*this);
    const auto data_dir = escape.data_dir(*this);
    watch();
    const int fd = open_data_dir(data_dir);
    if (fd >= 0) {
        ADD_FAILURE() << "'" << data_dir << "' was opened";
        const unique_fd opened{fd};
        const auto top = confined_directory::open("/proc/self/fd/" + std::to_string(fd));
        expect_no_sentinel(ingest_promptly(top));
    }
    expect_nothing_outside_was_touched();
}

void nothing(const confinement&) {}

std::function<std::string(const confinement&)> literal(std::string text) {
    return [text](const confinement&) { return text; };
}

const data_dir_case data_dir_cases[] = {
    {"absolute_path_outside", nothing, [](const confinement& c) { return c.outside().string(); }},
    {"absolute_root", nothing, literal("/")},
    {"absolute_proc_self_root", nothing, literal("/proc/self/root")},
    {"dot_dot", nothing, literal("..")},
    {"dot_dot_to_a_sibling", nothing, [](const confinement& c) { return "../" + c.outside().filename().string(); }},
    {"dot_dot_after_a_subdirectory", nothing,
     [](const confinement& c) { return "sub/../../" + c.outside().filename().string(); }},
    {"dot_dot_from_deep_down", nothing,
     [](const confinement& c) { return "sub/deeper/../../../" + c.outside().filename().string() + "/sub"; }},
    {"link_absolute_to_outside", [](const confinement& c) { c.link(c.outside().string(), "escape"); },
     literal("escape")},
    {"link_relative_to_outside",
     [](const confinement& c) { c.link("../" + c.outside().filename().string(), "escape"); }, literal("escape")},
    {"link_as_a_middle_component", [](const confinement& c) { c.link(c.outside().string(), "escape"); },
     literal("escape/sub")},
    {"link_with_a_trailing_slash", [](const confinement& c) { c.link(c.outside().string(), "escape"); },
     literal("escape/")},
    {"link_behind_dot_slash", [](const confinement& c) { c.link("../" + c.outside().filename().string(), "escape"); },
     literal("./escape")},
    {"link_chain_leading_out",
     [](const confinement& c) {
         c.link("chain2", "chain1");
         c.link("../" + c.outside().filename().string(), "chain2");
     },
     literal("chain1")},
    {"link_deep_inside_climbing_out",
     [](const confinement& c) { c.link("../../../" + c.outside().filename().string(), "sub/deeper/up"); },
     literal("sub/deeper/up")},
    {"link_to_filesystem_root", [](const confinement& c) { c.link("/", "slash"); }, literal("slash/tmp")},
    {"link_to_proc_self_root", [](const confinement& c) { c.link("/proc/self/root", "proc"); }, literal("proc")},
    {"link_to_proc_self_cwd", [](const confinement& c) { c.link("/proc/self/cwd", "cwd"); }, literal("cwd")},
    {"link_loop", [](const confinement& c) { c.link("loop", "loop"); }, literal("loop")},
    {"dangling_link_outside",
     [](const confinement& c) { c.link("../" + c.outside().filename().string() + "/missing", "dangling"); },
     literal("dangling")},
    {"fifo_as_data_dir", [](const confinement& c) { c.fifo("pipe"); }, literal("pipe")},
    {"regular_file_as_data_dir", nothing, literal("ok.md")},
    {"nul_byte_cutting_the_path", nothing,
     [](const confinement& c) { return std::string("sub\0/../../", 11) + c.outside().filename().string(); }},
};

std::string data_dir_case_name(const ::testing::TestParamInfo<data_dir_escape::ParamType>& param) {
    const auto& escape = std::get<data_dir_case>(param.param);
    return escape.name + (std::get<resolver>(param.param) == resolver::openat2 ? "_openat2" : "_walk");
}

INSTANTIATE_TEST_SUITE_P(cases,
                         data_dir_escape,
                         ::testing::Combine(::testing::ValuesIn(data_dir_cases),
                                            ::testing::Values(resolver::openat2, resolver::component_walk)),
                         data_dir_case_name);

// ---- entries inside the root that lead out of it: never followed, never opened ----

struct tree_case {
    std::string name;
    std::function<void(const confinement&)> setup;
    std::string reported;  ///< the error entry expected, or "" for an entry passed over silently
    std::string reason;
};

void PrintTo(const tree_case& escape, std::ostream* out) { *out << escape.name; }

class tree_escape : public confinement, public ::testing::WithParamInterface<tree_case> {};

TEST_P(tree_escape, is_skipped_and_reads_nothing_outside) {
    GetParam().setup(*this);
    watch();
    const auto result = ingest_promptly(confined_directory::open(root()));
    EXPECT_EQ(result.files, 1U) << "only ok.md is a regular benchmark file";
    EXPECT_EQ(result.first_markdown, std::vector<std::string>{"ok.md"});
    if (GetParam().reported.empty()) {
        EXPECT_TRUE(result.errors.empty()) << result.errors.front().file << ": " << result.errors.front().error;
    } else {
        ASSERT_EQ(result.errors.size(), 1U);
        EXPECT_EQ(result.errors[0].file, GetParam().reported);
        EXPECT_EQ(result.errors[0].error, "not read: " + GetParam().reason);
    }
    expect_no_sentinel(result);
    expect_nothing_outside_was_touched();
}

const std::string link_reason = "a symbolic link (links are never followed)";
const std::string fifo_reason = "a FIFO (only regular files are read)";

void make_socket(const fs::path& path) {
    const unique_fd fd{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)};
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    ASSERT_LT(path.string().size(), sizeof address.sun_path);
    std::strcpy(address.sun_path, path.c_str());
    ASSERT_EQ(::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
}

const tree_case tree_cases[] = {
    {"file_link_absolute", [](const confinement& c) { c.link((c.outside() / "secret.json").string(), "leak.json"); },
     "leak.json", link_reason},
    {"file_link_relative",
     [](const confinement& c) { c.link("../" + c.outside().filename().string() + "/secret.csv", "leak.csv"); },
     "leak.csv", link_reason},
    {"file_link_deep_climbing_out",
     [](const confinement& c) {
         c.link("../../../" + c.outside().filename().string() + "/secret.md", "sub/deeper/leak.md");
     },
     "sub/deeper/leak.md", link_reason},
    {"directory_link_absolute", [](const confinement& c) { c.link((c.outside() / "sub").string(), "leakdir"); }, "",
     ""},
    {"directory_link_relative",
     [](const confinement& c) { c.link("../../" + c.outside().filename().string() + "/sub", "sub/leakdir"); }, "", ""},
    {"directory_link_with_a_benchmark_name", [](const confinement& c) { c.link(c.outside().string(), "results.json"); },
     "results.json", link_reason},
    {"link_to_etc_passwd", [](const confinement& c) { c.link("/etc/passwd", "passwd.csv"); }, "passwd.csv",
     link_reason},
    {"link_to_proc_self_root", [](const confinement& c) { c.link("/proc/self/root", "procroot"); }, "", ""},
    {"link_to_proc_self_environ", [](const confinement& c) { c.link("/proc/self/environ", "environ.md"); },
     "environ.md", link_reason},
    {"link_to_parent_directory", [](const confinement& c) { c.link("..", "up"); }, "", ""},
    {"link_to_the_root_itself", [](const confinement& c) { c.link(".", "self"); }, "", ""},
    {"fifo_named_csv", [](const confinement& c) { c.fifo("x.csv"); }, "x.csv", fifo_reason},
    {"fifo_nested_json", [](const confinement& c) { c.fifo("sub/deeper/y.json"); }, "sub/deeper/y.json", fifo_reason},
    {"socket_named_md", [](const confinement& c) { make_socket(c.root() / "s.md"); }, "s.md",
     "a socket (only regular files are read)"},
};

std::string tree_case_name(const ::testing::TestParamInfo<tree_case>& param) { return param.param.name; }

INSTANTIATE_TEST_SUITE_P(cases, tree_escape, ::testing::ValuesIn(tree_cases), tree_case_name);

// ---- cases that need more than a link in the tree ----

TEST_F(confinement, a_magic_link_is_refused_even_when_it_stays_beneath_the_top) {
    // /proc/self/cwd lies beneath /proc/self, but is a magic link: RESOLVE_NO_MAGICLINKS refuses it.
    const auto proc_self = confined_directory::open("/proc/self");
    for (const auto* magic : {"cwd", "root", "exe"}) {
        EXPECT_EQ(detail::open_beneath_openat2(proc_self.fd(), magic), -ELOOP) << magic;
        EXPECT_EQ(detail::open_beneath_by_components(proc_self.fd(), magic), -ELOOP) << magic;
    }
}

TEST_F(confinement, a_magic_fd_link_to_an_outside_directory_is_refused) {
    const unique_fd outside_dir{::open(outside().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
    const auto proc_self = confined_directory::open("/proc/self");
    watch();
    const auto magic = "fd/" + std::to_string(outside_dir.get());
    EXPECT_EQ(detail::open_beneath_openat2(proc_self.fd(), magic), -ELOOP);
    EXPECT_EQ(detail::open_beneath_by_components(proc_self.fd(), magic), -ELOOP);
    expect_nothing_outside_was_touched();
}

TEST_F(confinement, a_device_file_with_a_benchmark_name_is_never_opened) {
    if (::mknod((root() / "null.csv").c_str(), S_IFCHR | 0600, makedev(1, 3)) != 0) {
        GTEST_SKIP() << "mknod needs CAP_MKNOD: " << std::strerror(errno);
    }
    watch();
    const auto result = ingest_promptly(confined_directory::open(root()));
    EXPECT_EQ(result.files, 1U);
    ASSERT_EQ(result.errors.size(), 1U);
    EXPECT_EQ(result.errors[0].error, "not read: a device (only regular files are read)");
    expect_nothing_outside_was_touched();
}

TEST_F(confinement, a_fifo_swapped_in_after_the_listing_is_opened_without_blocking_and_refused) {
    // The walk never opens what it listed as a FIFO; this is the race where a regular
    // file became one in between: the read itself must still neither block nor read.
    fifo("swapped.csv");
    const auto top = confined_directory::open(root());
    auto read = std::async(std::launch::async, [&top] {
        std::string buffer;
        return detail::read_regular_file(top.fd(), "swapped.csv", 1 << 20, buffer);
    });
    if (read.wait_for(prompt_deadline) != std::future_status::ready) {
        unblock_fifos();
        ADD_FAILURE() << "opening the FIFO blocked";
    }
    const auto outcome = read.get();
    EXPECT_EQ(outcome.error, "not read: no longer a regular file");
    EXPECT_EQ(outcome.bytes, 0U);
}

TEST_F(confinement, a_link_swapped_in_after_the_listing_is_not_followed) {
    link((outside() / "secret.json").string(), "swapped.json");
    const auto top = confined_directory::open(root());
    watch();
    std::string buffer;
    const auto outcome = detail::read_regular_file(top.fd(), "swapped.json", 1 << 20, buffer);
    EXPECT_EQ(outcome.error, "cannot open: " + std::generic_category().message(ELOOP));
    EXPECT_TRUE(buffer.empty());
    expect_nothing_outside_was_touched();
}

TEST_F(confinement, links_that_stay_beneath_the_top_are_followed_by_openat2_only) {
    write_inside("sub/deeper/nested.csv", "h\n1\n");
    link("sub/deeper", "inside");
    const auto top = confined_directory::open(root());
    const unique_fd by_openat2{detail::open_beneath_openat2(top.fd(), "inside")};
    EXPECT_TRUE(by_openat2);
    EXPECT_EQ(detail::open_beneath_by_components(top.fd(), "inside"), -ELOOP) << "the fallback refuses every link";
    const unique_fd nested{detail::open_beneath_by_components(top.fd(), "./sub//deeper/")};
    ASSERT_TRUE(nested);
    EXPECT_EQ(ingest_directory(confined_directory::open("/proc/self/fd/" + std::to_string(nested.get()))).files, 1U);
}

}  // namespace
}  // namespace chimera::core
