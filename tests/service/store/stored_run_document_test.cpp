#include "chimera/store/stored_run_document.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace chimera::service {
namespace {

stored_run failed_run() {
    stored_run run;
    run.id = "r1";
    run.status = core::run_status::failed;
    run.model = "gemma3:latest";
    run.request = R"({"data_dir":"tr109"})";
    run.error = core::run_error{core::failure_type::backend_unavailable, "down"};
    return run;
}

TEST(stored_run_text, a_final_document_is_served_as_stored) {
    auto run = failed_run();
    run.document = R"({"id":"r1","status":"failed","zeta":1.5})";
    EXPECT_EQ(stored_run_text(run), *run.document);
}

TEST(stored_run_text, agrees_with_the_document_built_from_the_row) {
    auto run = failed_run();
    EXPECT_EQ(nlohmann::json::parse(stored_run_text(run)), stored_run_json(run));
    run.document = "{not json";  // damaged: served from the request and the row instead
    const auto served = nlohmann::json::parse(stored_run_text(run));
    EXPECT_EQ(served, stored_run_json(run));
    EXPECT_EQ(served.at("status"), "failed");
    EXPECT_EQ(served.at("data_dir"), "tr109");
}

}  // namespace
}  // namespace chimera::service
