#include "run_list.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "chimera/store/sqlite_run_store.hpp"
#include "service_test_support.hpp"

namespace chimera::service {
namespace {

run_filter filter_of(std::string_view target) {
    auto result = parse_run_filter(target);
    EXPECT_TRUE(std::holds_alternative<run_filter>(result)) << target;
    return std::get<run_filter>(result);
}

std::string refused_parameter(std::string_view target) {
    auto result = parse_run_filter(target);
    EXPECT_TRUE(std::holds_alternative<query_error>(result)) << target;
    return std::holds_alternative<query_error>(result) ? std::get<query_error>(result).parameter : "";
}

TEST(run_list, parses_every_filter) {
    const auto filter = filter_of("/runs?status=failed&label=nightly&model=gemma3&limit=7&cursor=42");
    EXPECT_EQ(filter.status, core::run_status::failed);
    EXPECT_EQ(filter.label, "nightly");
    EXPECT_EQ(filter.model, "gemma3");
    EXPECT_EQ(filter.limit, 7U);
    EXPECT_EQ(filter.before_seq, 42);
    EXPECT_EQ(filter_of("/runs").limit, 50U);
}

TEST(run_list, refuses_bad_parameters_naming_them) {
    EXPECT_EQ(refused_parameter("/runs?status=done"), "status");
    EXPECT_EQ(refused_parameter("/runs?limit=0"), "limit");
    EXPECT_EQ(refused_parameter("/runs?limit=501"), "limit");
    EXPECT_EQ(refused_parameter("/runs?limit=5x"), "limit");
    EXPECT_EQ(refused_parameter("/runs?cursor=abc"), "cursor");
    EXPECT_EQ(refused_parameter("/runs?cursor=-3"), "cursor");
    EXPECT_EQ(refused_parameter("/runs?sort=asc"), "sort");
}

TEST(run_list, pages_through_every_run_once_newest_first) {
    test::temp_dir dir;
    sqlite_run_store store{dir.path()};
    std::vector<std::string> submitted;
    for (int i = 0; i < 7; ++i) {
        submitted.push_back("run-" + std::to_string(i));
        store.submit(
            {submitted.back(), "m", std::nullopt, "{}", std::nullopt, std::chrono::system_clock::now(), std::nullopt});
    }
    std::vector<std::string> listed;
    run_filter filter;
    filter.limit = 3;
    for (int page = 0; page < 10; ++page) {
        const auto body = run_page_json(store, filter);
        for (const auto& run : body.at("runs")) listed.push_back(run.at("id").get<std::string>());
        if (body.at("next_cursor").is_null()) break;
        filter.before_seq = std::stoll(body.at("next_cursor").get<std::string>());
    }
    const std::vector<std::string> expected(submitted.rbegin(), submitted.rend());
    EXPECT_EQ(listed, expected);
}

}  // namespace
}  // namespace chimera::service
