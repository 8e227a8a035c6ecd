#pragma once

#include <string>
#include <string_view>

namespace chimera::core {

/// The texts of a range, `separator` between them: join(names, ", ") is "a, b, c".
template <typename Texts>
[[nodiscard]] std::string join(const Texts& texts, std::string_view separator) {
    std::string joined;
    bool first = true;
    for (const auto& text : texts) {
        if (!first) joined += separator;
        joined += std::string_view{text};
        first = false;
    }
    return joined;
}

}  // namespace chimera::core
