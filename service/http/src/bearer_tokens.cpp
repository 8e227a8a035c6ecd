#include "chimera/http/bearer_tokens.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace chimera::service {
namespace {

std::string_view trim(std::string_view text) {
    const auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

/// Zero when equal. Reads all of `presented` whatever the mismatch; `expected` is never empty.
unsigned difference(std::string_view presented, std::string_view expected) {
    unsigned diff = presented.size() == expected.size() ? 0U : 1U;
    for (std::size_t i = 0; i < presented.size(); ++i) {
        diff |= static_cast<unsigned char>(presented[i]) ^ static_cast<unsigned char>(expected[i % expected.size()]);
    }
    return diff;
}

}  // namespace

bearer_tokens bearer_tokens::parse(std::string_view text) {
    bearer_tokens tokens;
    std::istringstream lines{std::string{text}};
    for (std::string line; std::getline(lines, line);) {
        const auto token = trim(line);
        if (!token.empty() && token.front() != '#') {
            tokens.tokens_.emplace_back(token);
        }
    }
    return tokens;
}

bearer_tokens bearer_tokens::load(const std::filesystem::path& file) {
    std::ifstream in{file, std::ios::binary};
    if (!in) {
        throw std::invalid_argument("--auth-token-file: cannot read '" + file.string() + "'");
    }
    std::ostringstream text;
    text << in.rdbuf();
    auto tokens = parse(text.str());
    if (tokens.size() == 0) {
        throw std::invalid_argument("--auth-token-file: '" + file.string() + "' holds no token");
    }
    return tokens;
}

bool bearer_tokens::accepts(std::string_view authorization) const {
    const auto space = authorization.find(' ');
    if (space == std::string_view::npos || !iequals(authorization.substr(0, space), "Bearer")) {
        return false;
    }
    const auto presented = trim(authorization.substr(space + 1));
    if (presented.empty()) {
        return false;
    }
    // No early exit: how many tokens there are and which one matched stays unobservable.
    unsigned matched = 0;
    for (const auto& token : tokens_) {
        matched |= difference(presented, token) == 0 ? 1U : 0U;
    }
    return matched != 0;
}

}  // namespace chimera::service
