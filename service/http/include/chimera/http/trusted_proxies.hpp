#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace chimera::service {

/// The proxies (load balancers) whose X-Forwarded-For is believed (`--trusted-proxy`). A
/// client that is not one could write any address there, so from anyone else the header is
/// ignored and the connection's peer is the client.
class trusted_proxies {
public:
    trusted_proxies();
    /// Networks ("10.0.0.0/8", "fd00::/8") or single addresses; std::invalid_argument names
    /// the one that is neither.
    explicit trusted_proxies(const std::vector<std::string>& networks);
    ~trusted_proxies();
    trusted_proxies(const trusted_proxies&);
    trusted_proxies& operator=(const trusted_proxies&);

    [[nodiscard]] bool trusts(std::string_view address) const;

    /// Whom a request came from: `peer` itself unless it is a trusted proxy; then the rightmost
    /// X-Forwarded-For entry that is not one (each proxy appends the address it saw), or the
    /// leftmost when every entry is trusted. An entry that is not an address ends the walk at
    /// the proxy that passed it on.
    [[nodiscard]] std::string client_address(std::string_view peer, std::string_view forwarded_for) const;

private:
    struct network;
    std::vector<network> networks_;
};

}  // namespace chimera::service
