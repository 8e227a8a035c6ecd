#include "chimera/runs/data_root.hpp"

#include <sys/stat.h>

#include <fstream>

#include <gtest/gtest.h>

#include "service_test_support.hpp"

namespace chimera::service {
namespace {

namespace fs = std::filesystem;

/// <tmp>/root holds the tree runs may read; <tmp>/root-outside sits next to it and
/// shares its name as a string prefix, so a string-prefix containment check would pass it.
class data_root_resolve : public testing::Test {
protected:
    data_root_resolve() {
        fs::create_directories(root_dir() / "bench" / "nested");
        fs::create_directories(outside_dir());
        std::ofstream(root_dir() / "notes.txt") << "not a directory";
        fs::create_directory_symlink(outside_dir(), root_dir() / "escape");
        fs::create_directory_symlink(root_dir() / "bench", root_dir() / "alias");
        fs::create_directory_symlink("bench/nested", root_dir() / "relative-alias");
    }

    [[nodiscard]] fs::path root_dir() const { return tmp_.path() / "root"; }
    [[nodiscard]] fs::path outside_dir() const { return tmp_.path() / "root-outside"; }

    [[nodiscard]] fs::path resolved(std::string_view data_dir) const {
        const auto result = data_root{{root_dir()}}.resolve(data_dir);
        if (const auto* refusal = std::get_if<data_dir_refusal>(&result)) {
            ADD_FAILURE() << "'" << data_dir << "' refused: " << refusal->status << " " << refusal->detail;
            return {};
        }
        return std::get<fs::path>(result);
    }

    [[nodiscard]] unsigned refusal_status(std::string_view data_dir) const {
        const auto result = data_root{{root_dir()}}.resolve(data_dir);
        const auto* refusal = std::get_if<data_dir_refusal>(&result);
        return refusal != nullptr ? refusal->status : 200;
    }

private:
    test::temp_dir tmp_;
};

TEST_F(data_root_resolve, root_path_is_canonical) {
    EXPECT_EQ(data_root{{root_dir() / "bench" / ".."}}.paths(), std::vector<fs::path>{fs::canonical(root_dir())});
}

TEST_F(data_root_resolve, accepts_relative_subdirectory) {
    EXPECT_EQ(resolved("bench"), fs::canonical(root_dir() / "bench"));
    EXPECT_EQ(resolved("bench/nested"), fs::canonical(root_dir() / "bench" / "nested"));
    EXPECT_EQ(resolved("./bench/"), fs::canonical(root_dir() / "bench"));
}

TEST_F(data_root_resolve, accepts_the_root_itself) { EXPECT_EQ(resolved("."), fs::canonical(root_dir())); }

TEST_F(data_root_resolve, refuses_absolute_path_with_400) {
    EXPECT_EQ(refusal_status(root_dir().string()), 400u);
    EXPECT_EQ(refusal_status("/etc"), 400u);
}

TEST_F(data_root_resolve, refuses_dot_dot_anywhere_with_403) {
    for (const auto* data_dir : {"..", "../root-outside", "bench/..", "bench/../bench", "bench/nested/../.."}) {
        EXPECT_EQ(refusal_status(data_dir), 403u) << data_dir;
    }
}

TEST_F(data_root_resolve, refuses_symlink_leading_outside_with_403) {
    EXPECT_EQ(refusal_status("escape"), 403u);
    EXPECT_EQ(refusal_status("escape/anything"), 403u);
}

TEST_F(data_root_resolve, follows_a_relative_symlink_that_stays_inside) {
    EXPECT_EQ(resolved("relative-alias"), fs::canonical(root_dir() / "bench" / "nested"));
}

TEST_F(data_root_resolve, refuses_an_absolute_symlink_even_into_the_root_with_403) {
    // The kernel resolves beneath the root (RESOLVE_BENEATH) and refuses every absolute link:
    // where it points can't be checked without following it.
    EXPECT_EQ(refusal_status("alias"), 403u);
}

TEST_F(data_root_resolve, refuses_magic_links_with_403) {
    fs::create_directory_symlink("/proc/self/cwd", root_dir() / "cwd");
    EXPECT_EQ(refusal_status("cwd"), 403u);
}

TEST_F(data_root_resolve, refuses_nonexistent_with_400) {
    EXPECT_EQ(refusal_status("missing"), 400u);
    EXPECT_EQ(refusal_status("bench/missing"), 400u);
}

TEST_F(data_root_resolve, refuses_regular_file_with_400) {
    const auto result = data_root{{root_dir()}}.resolve("notes.txt");
    ASSERT_TRUE(std::holds_alternative<data_dir_refusal>(result));
    EXPECT_EQ(std::get<data_dir_refusal>(result).status, 400u);
    EXPECT_NE(std::get<data_dir_refusal>(result).detail.find("not a directory"), std::string::npos);
}

TEST_F(data_root_resolve, open_reopens_a_resolved_path_beneath_its_root) {
    const data_root root{{root_dir()}};
    std::ofstream(root_dir() / "bench" / "nested" / "marker") << "x";
    const auto dir = root.open(resolved("bench/nested"));
    struct stat st {};
    EXPECT_EQ(::fstatat(dir.fd(), "marker", &st, 0), 0) << "the directory opened is bench/nested";
}

TEST_F(data_root_resolve, open_refuses_a_directory_swapped_for_an_escaping_link_since_resolve) {
    const data_root root{{root_dir()}};
    fs::create_directories(root_dir() / "swapped");
    const auto path = resolved("swapped");
    fs::remove(root_dir() / "swapped");
    fs::create_directory_symlink(outside_dir(), root_dir() / "swapped");
    EXPECT_THROW((void)root.open(path), fs::filesystem_error);
}

TEST_F(data_root_resolve, open_refuses_a_path_beneath_no_root) {
    EXPECT_THROW((void)data_root{{root_dir()}}.open(outside_dir()), fs::filesystem_error);
}

/// --data-root given twice: a data_dir is tried beneath each root in order.
class data_roots : public data_root_resolve {
protected:
    data_roots() {
        fs::create_directories(second_dir() / "only-second");
        fs::create_directories(second_dir() / "bench");
        fs::create_directory_symlink(outside_dir(), second_dir() / "second-escape");
    }
    [[nodiscard]] fs::path second_dir() const { return outside_dir() / "second"; }
    [[nodiscard]] data_root both() const { return data_root{{root_dir(), second_dir()}}; }
};

TEST_F(data_roots, the_first_root_holding_the_data_dir_wins) {
    EXPECT_EQ(std::get<fs::path>(both().resolve("bench")), fs::canonical(root_dir() / "bench"));
}

TEST_F(data_roots, a_data_dir_missing_from_the_first_root_is_found_in_the_next) {
    EXPECT_EQ(std::get<fs::path>(both().resolve("only-second")), fs::canonical(second_dir() / "only-second"));
    EXPECT_EQ(both().paths(), (std::vector<fs::path>{fs::canonical(root_dir()), fs::canonical(second_dir())}));
}

TEST_F(data_roots, an_escape_in_the_first_root_is_refused_not_retried) {
    fs::create_directories(second_dir() / "escape");
    const auto result = both().resolve("escape");
    ASSERT_TRUE(std::holds_alternative<data_dir_refusal>(result));
    EXPECT_EQ(std::get<data_dir_refusal>(result).status, 403u);
}

TEST_F(data_roots, an_escape_in_a_later_root_is_refused_too) {
    const auto result = both().resolve("second-escape");
    ASSERT_TRUE(std::holds_alternative<data_dir_refusal>(result));
    EXPECT_EQ(std::get<data_dir_refusal>(result).status, 403u);
}

TEST_F(data_roots, missing_everywhere_is_400) {
    const auto result = both().resolve("nowhere");
    ASSERT_TRUE(std::holds_alternative<data_dir_refusal>(result));
    EXPECT_EQ(std::get<data_dir_refusal>(result).status, 400u);
}

TEST_F(data_roots, open_picks_the_root_a_path_was_resolved_in) {
    const auto roots = both();
    std::ofstream(second_dir() / "only-second" / "marker") << "x";
    const auto dir = roots.open(std::get<fs::path>(roots.resolve("only-second")));
    struct stat st {};
    EXPECT_EQ(::fstatat(dir.fd(), "marker", &st, 0), 0);
}

TEST(data_root, a_root_that_is_not_a_directory_is_a_startup_error) {
    EXPECT_THROW(data_root{{"/nonexistent/chimera-data-root"}}, fs::filesystem_error);
}

}  // namespace
}  // namespace chimera::service
