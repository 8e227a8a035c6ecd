#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace chimera::service {

/// The tokens a client may present as `Authorization: Bearer <token>`: one per line of
/// --auth-token-file; blank lines and `#` comments are ignored, surrounding whitespace trimmed.
/// Several tokens allow rotation: add the new one, move clients, remove the old one.
class bearer_tokens {
public:
    /// Throws std::invalid_argument when the file cannot be read or holds no token.
    [[nodiscard]] static bearer_tokens load(const std::filesystem::path& file);
    [[nodiscard]] static bearer_tokens parse(std::string_view text);

    /// True when `authorization` is `Bearer <one of the tokens>` (scheme case-insensitive).
    /// Every token is compared in full, in time that depends only on the lengths
    /// presented and configured, never on where a guess goes wrong.
    [[nodiscard]] bool accepts(std::string_view authorization) const;

    [[nodiscard]] std::size_t size() const { return tokens_.size(); }

private:
    std::vector<std::string> tokens_;
};

}  // namespace chimera::service
