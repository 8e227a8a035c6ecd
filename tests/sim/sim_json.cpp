#include "sim_json.hpp"

#include <ctime>
#include <string_view>

namespace sim {

std::string go_json(const nlohmann::ordered_json& value) {
    const std::string plain = value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    std::string out;
    out.reserve(plain.size() + plain.size() / 8);
    // These bytes can only occur inside JSON strings, so a byte-level pass is exact.
    for (std::size_t i = 0; i < plain.size(); ++i) {
        const char c = plain[i];
        if (c == '<') {
            out += "\\u003c";
        } else if (c == '>') {
            out += "\\u003e";
        } else if (c == '&') {
            out += "\\u0026";
        } else if (std::string_view{plain}.substr(i, 3) == "\xE2\x80\xA8") {
            out += "\\u2028";
            i += 2;
        } else if (std::string_view{plain}.substr(i, 3) == "\xE2\x80\xA9") {
            out += "\\u2029";
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

std::string rfc3339_nano(std::chrono::system_clock::time_point at) {
    const auto seconds = std::chrono::floor<std::chrono::seconds>(at);
    auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(at - seconds).count();
    const std::time_t t = std::chrono::system_clock::to_time_t(seconds);
    std::tm utc{};
    gmtime_r(&t, &utc);
    char buf[40];
    std::size_t len = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &utc);
    std::string out{buf, len};
    if (nanos != 0) {
        std::string fraction(9, '0');
        for (std::size_t i = 9; i-- > 0; nanos /= 10) {
            fraction[i] = static_cast<char>('0' + nanos % 10);
        }
        out += '.';
        out += fraction.substr(0, fraction.find_last_not_of('0') + 1);
    }
    out += 'Z';
    return out;
}

}  // namespace sim
