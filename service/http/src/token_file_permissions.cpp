#include "chimera/http/token_file_permissions.hpp"

#include <array>
#include <cstdio>

namespace chimera::service {

std::optional<std::string> token_file_exposure(const std::filesystem::path& file) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const auto permissions = fs::status(file, ec).permissions();
    if (ec) {
        return std::nullopt;  // loading the file reports what is wrong with it
    }
    constexpr auto others = fs::perms::group_all | fs::perms::others_all;
    if ((permissions & others) == fs::perms::none) {
        return std::nullopt;
    }
    std::array<char, 8> mode{};
    std::snprintf(mode.data(), mode.size(), "%04o", static_cast<unsigned>(permissions & fs::perms::mask));
    return "--auth-token-file " + file.string() + " has mode " + mode.data() +
           ": users other than its owner can read or change the bearer tokens; chmod 600 it";
}

}  // namespace chimera::service
