#include "sim_responses.hpp"

#include <chrono>
#include <ctime>

namespace sim {

response make_response(const request& req, http::status status, std::string_view content_type, std::string body) {
    response res{status, req.version()};
    res.set(http::field::content_type, content_type);
    res.set(http::field::date, http_date());
    res.keep_alive(req.keep_alive());
    if (req.method() == http::verb::head) {
        res.content_length(body.size());
    } else {
        res.body() = std::move(body);
        res.prepare_payload();
    }
    return res;
}

std::string http_date() {
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm utc{};
    gmtime_r(&now, &utc);
    char buf[40];
    return {buf, std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &utc)};
}

}  // namespace sim
