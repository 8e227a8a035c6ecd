#include "backend_flag.hpp"

#include <fstream>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "service_test_support.hpp"

namespace chimera::service {
namespace {

using namespace std::chrono_literals;

std::string refusal_of(const std::string& value) {
    try {
        (void)parse_backend_flag(value);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "accepted";
}

TEST(backend_flag, a_name_and_url_make_an_ollama_backend_without_limits) {
    const auto backend = parse_backend_flag("gpu-a=http://10.0.0.11:11434");
    EXPECT_EQ(backend.name, "gpu-a");
    EXPECT_EQ(backend.endpoint.authority(), "10.0.0.11:11434");
    EXPECT_EQ(backend.kind, core::backend_kind::ollama);
    EXPECT_EQ(backend.max_streams, 0U);
    EXPECT_TRUE(backend.authorization.empty());
}

TEST(backend_flag, settings_after_the_url_set_kind_api_limit_and_token) {
    test_support::temp_dir dir;
    std::ofstream(dir.path() / "token") << "  s3cret \nsecond line ignored\n";
    const auto backend = parse_backend_flag(
        "llama.b=http://127.0.0.1:8080,kind=openai,api=completions,max-streams=4,"
        "auth-file=" +
        (dir.path() / "token").string());
    EXPECT_EQ(backend.kind, core::backend_kind::openai);
    EXPECT_EQ(backend.openai_api, core::openai_api::completions);
    EXPECT_EQ(backend.max_streams, 4U);
    EXPECT_EQ(backend.authorization, "Bearer s3cret");
}

TEST(backend_flag, each_bad_part_is_named) {
    EXPECT_NE(refusal_of("http://127.0.0.1:1").find("needs NAME=URL"), std::string::npos);
    EXPECT_NE(refusal_of("gpu a=http://h:1").find("the name must be"), std::string::npos);
    EXPECT_NE(refusal_of("a=ftp://h:1").find("the URL must look like"), std::string::npos);
    EXPECT_NE(refusal_of("a=http://h:1,kind=tgi").find("kind must be ollama or openai, not 'tgi'"), std::string::npos);
    EXPECT_NE(refusal_of("a=http://h:1,kind=openai,api=embeddings").find("api must be chat or completions"),
              std::string::npos);
    EXPECT_NE(refusal_of("a=http://h:1,api=completions").find("api= is for kind=openai"), std::string::npos);
    EXPECT_NE(refusal_of("a=http://h:1,max-streams=0").find("max-streams"), std::string::npos);
    EXPECT_NE(refusal_of("a=http://h:1,auth-file=/nonexistent/token").find("cannot read auth-file"), std::string::npos);
    EXPECT_NE(refusal_of("a=http://h:1,colour=red").find("unknown setting 'colour'"), std::string::npos);
    EXPECT_NE(refusal_of("a=http://h:1,kind").find("'kind' is not KEY=VALUE"), std::string::npos);
}

TEST(backend_flag, each_backend_takes_the_common_timeouts_and_without_any_the_default_is_the_one) {
    backend_settings common;
    common.call_timeout = 90s;
    common.pool_size = 3;
    const auto only = fleet_settings(common, {});
    ASSERT_EQ(only.size(), 1U);
    EXPECT_EQ(only[0].name, "default");

    const auto fleet =
        fleet_settings(common, {parse_backend_flag("a=http://h:1"), parse_backend_flag("b=http://h:2,kind=openai")});
    ASSERT_EQ(fleet.size(), 2U);
    EXPECT_EQ(fleet[1].name, "b");
    EXPECT_EQ(fleet[1].kind, core::backend_kind::openai);
    EXPECT_EQ(fleet[1].endpoint.authority(), "h:2");
    EXPECT_EQ(fleet[1].call_timeout, 90s);
    EXPECT_EQ(fleet[1].pool_size, 3U);
}

}  // namespace
}  // namespace chimera::service
