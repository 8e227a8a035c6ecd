#include "chimera/http/token_file_permissions.hpp"

#include <fstream>

#include <gtest/gtest.h>

#include "service_test_support.hpp"

namespace chimera::service {
namespace {

namespace fs = std::filesystem;

fs::path token_file(const test::temp_dir& dir, fs::perms mode) {
    const auto file = dir.path() / "tokens";
    std::ofstream{file} << "a-token\n";
    fs::permissions(file, mode);
    return file;
}

TEST(token_file_exposure, a_file_only_its_owner_can_read_raises_nothing) {
    const test::temp_dir dir;
    EXPECT_FALSE(token_file_exposure(token_file(dir, fs::perms::owner_read | fs::perms::owner_write)));
    EXPECT_FALSE(token_file_exposure(token_file(dir, fs::perms::owner_read)));
}

TEST(token_file_exposure, a_file_others_can_read_or_write_is_named_with_its_mode) {
    const test::temp_dir dir;
    const auto world_readable = token_file_exposure(token_file(
        dir, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read));
    ASSERT_TRUE(world_readable);
    EXPECT_NE(world_readable->find("mode 0644"), std::string::npos) << *world_readable;
    EXPECT_NE(world_readable->find("chmod 600"), std::string::npos) << *world_readable;
    EXPECT_TRUE(token_file_exposure(token_file(dir, fs::perms::owner_read | fs::perms::group_write)));
}

TEST(token_file_exposure, a_missing_file_is_left_to_loading) {
    const test::temp_dir dir;
    EXPECT_FALSE(token_file_exposure(dir.path() / "missing"));
}

}  // namespace
}  // namespace chimera::service
