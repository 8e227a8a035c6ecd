#include "chimera/runs/run_id.hpp"

#include <regex>
#include <set>

#include <gtest/gtest.h>

namespace chimera::service {
namespace {

TEST(make_run_id, is_lowercase_uuid_v4) {
    // Version nibble 4; variant bits 10xx, so the fourth group starts with 8, 9, a or b.
    const std::regex uuid_v4{"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"};
    for (int i = 0; i < 100; ++i) {
        const auto id = make_run_id();
        EXPECT_TRUE(std::regex_match(id, uuid_v4)) << id;
    }
}

TEST(make_run_id, thousand_ids_are_unique) {
    std::set<std::string> ids;
    for (int i = 0; i < 1000; ++i) {
        ids.insert(make_run_id());
    }
    EXPECT_EQ(ids.size(), 1000u);
}

}  // namespace
}  // namespace chimera::service
