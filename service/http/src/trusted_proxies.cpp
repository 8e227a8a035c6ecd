#include "chimera/http/trusted_proxies.hpp"

#include <algorithm>
#include <optional>
#include <stdexcept>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>

namespace chimera::service {
namespace ip = boost::asio::ip;

namespace {

std::string_view trimmed(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

std::optional<ip::address> address_of(std::string_view text) {
    boost::system::error_code ec;
    const auto address = ip::make_address(trimmed(text), ec);
    if (ec) return std::nullopt;
    // An IPv4 client of a dual-stack socket shows as ::ffff:a.b.c.d: match it as IPv4.
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        return ip::address{ip::make_address_v4(ip::v4_mapped, address.to_v6())};
    }
    return address;
}

}  // namespace

/// Either family; the prefix is the network's length in bits.
struct trusted_proxies::network {
    ip::address base;
    unsigned short prefix = 0;

    [[nodiscard]] bool contains(const ip::address& address) const {
        if (address.is_v4() != base.is_v4()) return false;
        if (base.is_v4()) {
            return ip::network_v4{address.to_v4(), prefix}.canonical() ==
                   ip::network_v4{base.to_v4(), prefix}.canonical();
        }
        return ip::network_v6{address.to_v6(), prefix}.canonical() == ip::network_v6{base.to_v6(), prefix}.canonical();
    }
};

trusted_proxies::trusted_proxies() = default;
trusted_proxies::~trusted_proxies() = default;
trusted_proxies::trusted_proxies(const trusted_proxies&) = default;
trusted_proxies& trusted_proxies::operator=(const trusted_proxies&) = default;

trusted_proxies::trusted_proxies(const std::vector<std::string>& networks) {
    for (const auto& text : networks) {
        const auto slash = text.find('/');
        const auto address = address_of(std::string_view{text}.substr(0, slash));
        const unsigned max_prefix = address && address->is_v4() ? 32 : 128;
        unsigned prefix = max_prefix;
        if (slash != std::string::npos) {
            const auto digits = text.substr(slash + 1);
            const bool numeric =
                !digits.empty() && digits.size() <= 3 && digits.find_first_not_of("0123456789") == std::string::npos;
            prefix = numeric ? static_cast<unsigned>(std::stoul(digits)) : max_prefix + 1;
        }
        if (!address || prefix > max_prefix) {
            throw std::invalid_argument("'" + text + "' is not an address or a network such as 10.0.0.0/8 or fd00::/8");
        }
        networks_.push_back({*address, static_cast<unsigned short>(prefix)});
    }
}

bool trusted_proxies::trusts(std::string_view address) const {
    const auto parsed = address_of(address);
    if (!parsed) return false;
    return std::any_of(networks_.begin(), networks_.end(),
                       [&parsed](const network& trusted) { return trusted.contains(*parsed); });
}

std::string trusted_proxies::client_address(std::string_view peer, std::string_view forwarded_for) const {
    std::string client{peer};
    if (networks_.empty() || forwarded_for.empty()) return client;  // the common case: nothing to parse
    while (trusts(client) && !forwarded_for.empty()) {
        const auto comma = forwarded_for.rfind(',');
        const auto entry = trimmed(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
        forwarded_for = comma == std::string_view::npos ? std::string_view{} : forwarded_for.substr(0, comma);
        if (!address_of(entry)) break;
        client = std::string{entry};
    }
    return client;
}

}  // namespace chimera::service
