#include "chimera/runs/sweep_routing.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "chimera/core/sweep/sweep_plan.hpp"
#include "chimera/telemetry/service_metrics.hpp"

namespace chimera::service {
namespace {

backend_settings backend_named(std::string name, core::backend_kind kind) {
    backend_settings settings;
    settings.name = std::move(name);
    settings.kind = kind;
    return settings;
}

/// An Ollama host and a llama.cpp host, as `--backend ollama-a=…` and `--backend llamacpp-b=…,kind=openai`.
class sweep_routing : public ::testing::Test {
protected:
    std::optional<core::request_error> refusal(std::string_view body) {
        auto parsed = core::parse_sweep_spec(body);
        if (const auto* error = std::get_if<core::request_error>(&parsed)) {
            ADD_FAILURE() << error->field << ": " << error->detail;
            return std::nullopt;
        }
        const auto& spec = std::get<core::sweep_spec>(parsed);
        return sweep_routing_refusal(fleet_, spec, core::expand_sweep(spec), "gemma3:latest");
    }

    boost::asio::io_context io_{1};
    service_metrics metrics_;
    backend_fleet fleet_{io_.get_executor(),
                         {backend_named("ollama-a", core::backend_kind::ollama),
                          backend_named("llamacpp-b", core::backend_kind::openai)},
                         metrics_};
};

TEST_F(sweep_routing, a_sweep_over_both_engines_routes) {
    EXPECT_FALSE(refusal(R"({"grid": {"backend": ["ollama-a", "llamacpp-b"], "temperature": [0.6, 0.8]}})"));
    EXPECT_FALSE(refusal(R"({"baseline": {"backend": "llamacpp-b"}, "grid": {"backend": ["ollama-a"]}})"));
    EXPECT_FALSE(refusal(R"({"grid": {"num_ctx": [256]}})"));  // routed by model: ollama-a can take it
}

TEST_F(sweep_routing, an_unknown_backend_is_refused_naming_where_the_spec_names_it) {
    const auto grid = refusal(R"({"grid": {"backend": ["ollama-a", "vllm-c"]}})");
    ASSERT_TRUE(grid);
    EXPECT_EQ(grid->field, "grid.backend[1]");
    EXPECT_NE(grid->detail.find("no backend is named 'vllm-c'"), std::string::npos) << grid->detail;
    EXPECT_NE(grid->detail.find("llamacpp-b"), std::string::npos) << grid->detail;  // says which there are

    // The baseline takes the grid's first backend when it names none: that is the field to blame.
    const auto first = refusal(R"({"grid": {"backend": ["vllm-c", "ollama-a"]}})");
    ASSERT_TRUE(first);
    EXPECT_EQ(first->field, "grid.backend[0]");

    const auto baseline = refusal(R"({"baseline": {"backend": "vllm-c"}, "grid": {"seed": [1]}})");
    ASSERT_TRUE(baseline);
    EXPECT_EQ(baseline->field, "baseline.backend");
}

TEST_F(sweep_routing, options_an_arms_backend_cannot_take_are_refused_naming_their_field) {
    const auto grid = refusal(R"({"grid": {"backend": ["ollama-a", "llamacpp-b"], "num_ctx": [256, 512]}})");
    ASSERT_TRUE(grid);
    EXPECT_EQ(grid->field, "grid.num_ctx[0]");
    EXPECT_NE(grid->detail.find("llamacpp-b (openai) cannot take the options num_ctx"), std::string::npos)
        << grid->detail;

    const auto inherited = refusal(R"({"baseline": {"backend": "ollama-a", "repeat_penalty": 1.1},
                                       "grid": {"backend": ["llamacpp-b"]}})");
    ASSERT_TRUE(inherited);
    EXPECT_EQ(inherited->field, "baseline");
    EXPECT_NE(inherited->detail.find("repeat_penalty"), std::string::npos) << inherited->detail;

    const auto own = refusal(R"({"baseline": {"backend": "llamacpp-b", "num_gpu": 20}, "grid": {"seed": [1]}})");
    ASSERT_TRUE(own);
    EXPECT_EQ(own->field, "baseline");
}

}  // namespace
}  // namespace chimera::service
