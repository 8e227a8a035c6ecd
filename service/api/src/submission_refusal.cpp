#include "submission_refusal.hpp"

#include <string>

#include "chimera/http/problem_response.hpp"

namespace chimera::service {

http_response refuse_submission(const http_request& request, submit_status status, std::chrono::seconds retry_after) {
    if (status == submit_status::draining) {
        auto response =
            make_problem(request, http::status::service_unavailable, "the service is shutting down; retry shortly");
        response.set(http::field::retry_after, "5");
        return response;
    }
    auto response = make_problem(request, http::status::too_many_requests,
                                 "the run queue is full; retry after the advertised delay");
    response.set(http::field::retry_after, std::to_string(retry_after.count()));
    return response;
}

}  // namespace chimera::service
