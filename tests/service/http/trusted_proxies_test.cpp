#include "chimera/http/trusted_proxies.hpp"

#include <stdexcept>

#include <gtest/gtest.h>

#include "chimera/http/request_id.hpp"

namespace chimera::service {
namespace {

TEST(trusted_proxies, trusts_addresses_inside_its_networks_of_either_family) {
    const trusted_proxies proxies{{"10.0.0.0/8", "192.0.2.7", "fd00::/8"}};
    EXPECT_TRUE(proxies.trusts("10.1.2.3"));
    EXPECT_TRUE(proxies.trusts("192.0.2.7"));
    EXPECT_FALSE(proxies.trusts("192.0.2.8"));
    EXPECT_TRUE(proxies.trusts("fd12::1"));
    EXPECT_FALSE(proxies.trusts("fe80::1"));
    EXPECT_TRUE(proxies.trusts("::ffff:10.9.9.9")) << "an IPv4 client of a dual-stack socket";
    EXPECT_FALSE(proxies.trusts("not an address"));
}

TEST(trusted_proxies, the_client_is_the_rightmost_untrusted_forwarded_address) {
    const trusted_proxies proxies{{"10.0.0.0/8"}};
    EXPECT_EQ(proxies.client_address("10.0.0.1", "198.51.100.2, 203.0.113.9, 10.0.0.5"), "203.0.113.9")
        << "a client may prepend anything: only what trusted hops appended counts";
    EXPECT_EQ(proxies.client_address("10.0.0.1", " 203.0.113.9 "), "203.0.113.9");
    EXPECT_EQ(proxies.client_address("10.0.0.1", "10.0.0.7, 10.0.0.5"), "10.0.0.7") << "all trusted: the leftmost";
    EXPECT_EQ(proxies.client_address("10.0.0.1", ""), "10.0.0.1");
    EXPECT_EQ(proxies.client_address("10.0.0.1", "203.0.113.9, garbage"), "10.0.0.1")
        << "what the proxy passed on is not an address: the proxy is all we know";
}

TEST(trusted_proxies, an_untrusted_peer_is_the_client_whatever_it_forwards) {
    const trusted_proxies proxies{{"10.0.0.0/8"}};
    EXPECT_EQ(proxies.client_address("198.51.100.4", "203.0.113.9"), "198.51.100.4");
    EXPECT_EQ(trusted_proxies{}.client_address("10.0.0.1", "203.0.113.9"), "10.0.0.1");
}

TEST(trusted_proxies, refuses_what_is_not_a_network) {
    for (const auto* bad : {"10.0.0.0/33", "fd00::/129", "10.0.0.0/x", "example.com", "10.0.0.0/", ""}) {
        EXPECT_THROW(trusted_proxies({bad}), std::invalid_argument) << bad;
    }
}

TEST(request_id, a_clients_id_is_kept_when_it_is_safe_to_log_and_echo) {
    EXPECT_EQ(request_id_for("0f8e-4a:trace/1+x=y@z"), "0f8e-4a:trace/1+x=y@z");
    for (const auto* bad : {"", "has space", "new\nline", "quote\"", "\xc3\xa9"}) {
        const auto id = request_id_for(bad);
        EXPECT_EQ(id.size(), 32U) << bad;
        EXPECT_NE(id, bad);
    }
    EXPECT_EQ(request_id_for(std::string(129, 'a')).size(), 32U);
    EXPECT_NE(generate_request_id(), generate_request_id());
}

}  // namespace
}  // namespace chimera::service
