#include "json_metric_harvest.hpp"

#include <gtest/gtest.h>

namespace chimera::core::detail {
namespace {

struct harvest {
    file_scan scan;
    std::vector<harvested_metric> metrics;
};

harvest run(std::string_view text, std::size_t max_total = 200) {
    harvest out;
    metric_sink sink(out.metrics, max_total);
    sink.start_file("f.json");
    out.scan = scan_json(text, sink);
    return out;
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

TEST(json_metric_harvest, stops_descending_past_depth_64) {
    std::string deep;
    for (int i = 0; i < 100; ++i) deep += "{\"a\":";
    deep += "{\"ttft\":1}";
    for (int i = 0; i < 100; ++i) deep += "}";
    const auto h = run(deep);
    EXPECT_TRUE(h.scan.error.empty());
    EXPECT_TRUE(h.metrics.empty());
}

TEST(json_metric_harvest, empty_and_broken_files_are_errors) {
    EXPECT_EQ(run("").scan.error, "empty file");
    const auto truncated = run(R"({"ttft": [1, 2)");
    EXPECT_NE(truncated.scan.error.find("parse error"), std::string::npos) << truncated.scan.error;
    const auto binary = run(std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\xff", 17));
    EXPECT_NE(binary.scan.error.find("parse error"), std::string::npos) << binary.scan.error;
}

}  // namespace
}  // namespace chimera::core::detail
