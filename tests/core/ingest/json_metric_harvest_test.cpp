#include "json_metric_harvest.hpp"

#include <gtest/gtest.h>

namespace chimera::core::detail {
namespace {

struct harvest {
    file_scan scan;
    std::vector<harvested_metric> metrics;
};

harvest run(std::string_view text, std::size_t max_total = 200, std::size_t max_depth = 64) {
    harvest out;
    metric_sink sink(out.metrics, max_total);
    sink.start_file("f.json");
    out.scan = scan_json(text, max_depth, sink);
    return out;
}

std::string nested(int depth, std::string_view leaf) {
    std::string text;
    for (int i = 0; i < depth - 1; ++i) text += i % 2 == 0 ? "{\"a\":" : "[";
    text += leaf;
    for (int i = depth - 2; i >= 0; --i) text += i % 2 == 0 ? "}" : "]";
    return text;
}

std::vector<std::string> keys(const harvest& h) {
    std::vector<std::string> out;
    for (const auto& m : h.metrics) out.push_back(m.key + "=" + std::to_string(m.value));
    return out;
}

TEST(json_metric_harvest, harvests_metric_named_numbers_with_dotted_paths_in_document_order) {
    const auto h = run(R"({"model":"m","ttft_ms":12.5,"results":[{"tokens_per_second":80,"ok":true},
                          {"tokens_per_second":81.5}],"Latency":{"p50":3},"speedup":"fast","count":9})");
    ASSERT_TRUE(h.scan.error.empty());
    EXPECT_EQ(keys(h), (std::vector<std::string>{"ttft_ms=12.500000", "results[0].tokens_per_second=80.000000",
                                                 "results[1].tokens_per_second=81.500000"}));
    EXPECT_EQ(h.metrics[0].file, "f.json");
}

TEST(json_metric_harvest, array_elements_inherit_their_key) {
    EXPECT_EQ(keys(run(R"({"throughput":[10,20]})")),
              (std::vector<std::string>{"throughput[0]=10.000000", "throughput[1]=20.000000"}));
}

TEST(json_metric_harvest, keeps_three_values_per_path_and_five_per_file) {
    const auto h =
        run(R"({"runs":[{"ttft":1,"tok_s":1},{"ttft":2,"tok_s":2},{"ttft":3,"tok_s":3},{"ttft":4,"tok_s":4}]})");
    EXPECT_EQ(keys(h),
              (std::vector<std::string>{"runs[0].ttft=1.000000", "runs[0].tok_s=1.000000", "runs[1].ttft=2.000000",
                                        "runs[1].tok_s=2.000000", "runs[2].ttft=3.000000"}));
}

TEST(json_metric_harvest, respects_the_total_limit) { EXPECT_EQ(run(R"({"ttft":[1,2,3]})", 2).metrics.size(), 2U); }

TEST(json_metric_harvest, a_document_deeper_than_the_limit_is_an_error_and_keeps_nothing) {
    const auto at_limit = run(nested(8, R"({"ttft":1})"), 200, 8);
    EXPECT_TRUE(at_limit.scan.error.empty()) << at_limit.scan.error;
    EXPECT_EQ(at_limit.metrics.size(), 1U);
    const auto over = run(nested(9, R"({"ttft":1})"), 200, 8);
    EXPECT_EQ(over.scan.error, "JSON nested deeper than 8 levels, the depth limit");
    // A hostile file can't exhaust the stack: the parse stops at the limit.
    EXPECT_EQ(run(std::string(1'000'000, '['), 200, 64).scan.error,
              "JSON nested deeper than 64 levels, the depth limit");
}

TEST(json_metric_harvest, paths_follow_nesting_in_and_out_of_arrays) {
    const auto h = run(R"({"a":{"b":[{"ttft":1},[{"x":{"latency":2}}]],"speed":3},"tok":[[4]]})");
    EXPECT_EQ(keys(h), (std::vector<std::string>{"a.b[0].ttft=1.000000", "a.b[1][0].x.latency=2.000000",
                                                 "a.speed=3.000000", "tok[0][0]=4.000000"}));
}

TEST(json_metric_harvest, a_bom_and_surrounding_whitespace_are_fine) {
    const auto h = run("\xEF\xBB\xBF \n{\"ttft\": 5}\n");
    EXPECT_TRUE(h.scan.error.empty()) << h.scan.error;
    EXPECT_EQ(keys(h), (std::vector<std::string>{"ttft=5.000000"}));
}

TEST(json_metric_harvest, empty_and_broken_files_are_errors) {
    EXPECT_NE(run("").scan.error.find("parse error"), std::string::npos);
    EXPECT_NE(run(R"({"ttft": 1} trailing)").scan.error.find("parse error"), std::string::npos);
    EXPECT_NE(run("{\"ttft\": \"caf\xe9\"}").scan.error.find("UTF-8"), std::string::npos);
    const auto truncated = run(R"({"ttft": [1, 2)");
    EXPECT_NE(truncated.scan.error.find("parse error"), std::string::npos) << truncated.scan.error;
    const auto binary = run(std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\xff", 17));
    EXPECT_NE(binary.scan.error.find("parse error"), std::string::npos) << binary.scan.error;
}

}  // namespace
}  // namespace chimera::core::detail
