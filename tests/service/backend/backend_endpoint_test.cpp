#include "chimera/backend/backend_endpoint.hpp"

#include <gtest/gtest.h>

namespace chimera::service {
namespace {

std::string authority_of(std::string_view url) {
    const auto endpoint = parse_backend_url(url);
    return endpoint ? endpoint->authority() : "<rejected>";
}

TEST(parse_backend_url, reads_http_url) {
    const auto endpoint = parse_backend_url("http://gpu-box:1234");
    ASSERT_TRUE(endpoint);
    EXPECT_EQ(endpoint->host, "gpu-box");
    EXPECT_EQ(endpoint->port, "1234");
    EXPECT_EQ(endpoint->authority(), "gpu-box:1234");
}

TEST(parse_backend_url, scheme_is_optional) { EXPECT_EQ(authority_of("gpu-box:1234"), "gpu-box:1234"); }

TEST(parse_backend_url, host_alone_gets_ollama_default_port) {
    EXPECT_EQ(authority_of("gpu-box"), "gpu-box:11434");
    EXPECT_EQ(authority_of("http://gpu-box"), "gpu-box:11434");
}

TEST(parse_backend_url, listen_all_address_maps_to_loopback) {
    EXPECT_EQ(authority_of("0.0.0.0"), "127.0.0.1:11434");
    EXPECT_EQ(authority_of("0.0.0.0:9000"), "127.0.0.1:9000");
    EXPECT_EQ(authority_of("http://0.0.0.0:9000"), "127.0.0.1:9000");
}

TEST(parse_backend_url, ignores_trailing_path) {
    EXPECT_EQ(authority_of("http://gpu-box:1234/api/generate"), "gpu-box:1234");
    EXPECT_EQ(authority_of("gpu-box/"), "gpu-box:11434");
}

TEST(parse_backend_url, rejects_other_schemes) {
    EXPECT_EQ(parse_backend_url("https://gpu-box:1234"), std::nullopt);
    EXPECT_EQ(parse_backend_url("ftp://gpu-box"), std::nullopt);
}

TEST(parse_backend_url, rejects_bad_port) {
    for (const auto* url : {"gpu-box:", "gpu-box:abc", "gpu-box:12a", "http://gpu-box:-1", "gpu-box: 80"}) {
        EXPECT_EQ(parse_backend_url(url), std::nullopt) << url;
    }
}

TEST(parse_backend_url, rejects_ports_out_of_range) {
    for (const auto* url : {"gpu-box:0", "gpu-box:65536", "gpu-box:99999", "gpu-box:123456"}) {
        EXPECT_EQ(parse_backend_url(url), std::nullopt) << url;
    }
    EXPECT_TRUE(parse_backend_url("gpu-box:65535").has_value());
}

TEST(parse_backend_url, accepts_bracketed_ipv6) {
    const auto with_port = parse_backend_url("http://[::1]:11500");
    ASSERT_TRUE(with_port.has_value());
    EXPECT_EQ(with_port->host, "::1");
    EXPECT_EQ(with_port->port, "11500");
    const auto without_port = parse_backend_url("[fd00::2]");
    ASSERT_TRUE(without_port.has_value());
    EXPECT_EQ(without_port->port, "11434");
    EXPECT_EQ(parse_backend_url("::1"), std::nullopt) << "ambiguous without brackets";
}

TEST(parse_backend_url, rejects_empty_authority) {
    EXPECT_EQ(parse_backend_url(""), std::nullopt);
    EXPECT_EQ(parse_backend_url("http://"), std::nullopt);
    EXPECT_EQ(parse_backend_url("http:///api"), std::nullopt);
}

}  // namespace
}  // namespace chimera::service
