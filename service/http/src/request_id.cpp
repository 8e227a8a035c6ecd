#include "chimera/http/request_id.hpp"

#include <algorithm>
#include <array>
#include <random>

namespace chimera::service {

bool acceptable_request_id(std::string_view id) {
    constexpr std::size_t longest = 128;
    constexpr std::string_view punctuation = "-._:/+=@";
    if (id.empty() || id.size() > longest) return false;
    return std::all_of(id.begin(), id.end(), [punctuation](char c) {
        const bool alphanumeric = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        return alphanumeric || punctuation.find(c) != std::string_view::npos;
    });
}

std::string generate_request_id() {
    thread_local std::mt19937_64 generator{std::random_device{}()};
    constexpr std::array<char, 16> hex{'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
    std::string id(32, '0');
    for (std::size_t i = 0; i < id.size(); i += 16) {
        auto bits = generator();
        for (std::size_t j = 0; j < 16; ++j, bits >>= 4U) id[i + j] = hex[bits & 0xfU];
    }
    return id;
}

std::string request_id_for(std::string_view client_id) {
    return acceptable_request_id(client_id) ? std::string{client_id} : generate_request_id();
}

}  // namespace chimera::service
