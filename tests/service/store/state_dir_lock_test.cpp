#include "chimera/store/state_dir_lock.hpp"

#include <optional>
#include <stdexcept>

#include <gtest/gtest.h>

#include "service_test_support.hpp"

namespace chimera::service {
namespace {

TEST(state_dir_lock, a_second_holder_is_refused_until_the_first_lets_go) {
    test::temp_dir dir;
    const auto state = dir.path() / "state";
    std::optional<state_dir_lock> first{std::in_place, state};
    EXPECT_TRUE(std::filesystem::is_directory(state));
    try {
        const state_dir_lock second{state};
        FAIL() << "a second lock on the same directory was granted";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string{e.what()}.find("another chimera process"), std::string::npos) << e.what();
    }
    first.reset();
    EXPECT_NO_THROW(state_dir_lock{state});
}

}  // namespace
}  // namespace chimera::service
