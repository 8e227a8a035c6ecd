#include "chimera/store/stored_run_document.hpp"

#include <nlohmann/json.hpp>

#include "chimera/core/run/run_request.hpp"
#include "chimera/core/text/json_text.hpp"

namespace chimera::service {

core::run_document document_from_request(const stored_run& run) {
    auto parsed = core::parse_run_request(run.request);
    const auto* request = std::get_if<core::run_request>(&parsed);
    if (request == nullptr) {
        throw store_error("run store: the stored request of run " + run.id +
                          " no longer parses: " + std::get<core::request_error>(parsed).detail);
    }
    core::run_document document;
    document.id = run.id;
    document.model = run.model;
    document.options = request->options;
    document.label = request->label;
    document.backend = request->backend;
    document.data_dir = request->data_dir.value_or(".");
    document.created_at = run.created_at;
    document.attempt = run.attempt;
    document.handed_back = run.handbacks;
    document.request_id = run.request_id;
    document.executed_by = run.owner.value_or("");
    return document;
}

core::run_document unexecuted_document(const stored_run& run) {
    auto document = document_from_request(run);
    document.status = run.status;
    document.error = run.error;
    document.finished_at = run.finished_at;
    return document;
}

nlohmann::json stored_run_json(const stored_run& run) {
    if (run.document) {
        auto parsed = nlohmann::json::parse(*run.document, nullptr, false);
        if (!parsed.is_discarded()) return parsed;
    }
    return core::to_json(unexecuted_document(run));
}

namespace {

/// A stored document is written whole by our own serialiser in the run's final transaction;
/// what could go wrong with it is an empty or cut text, which this catches. Lexing the whole
/// document to be sure cost as much as the rest of a GET /runs/{id}.
bool whole_object(std::string_view text) { return text.size() >= 2 && text.front() == '{' && text.back() == '}'; }

}  // namespace

std::string stored_run_text(const stored_run& run) {
    if (run.document && whole_object(*run.document)) return *run.document;
    return core::json_text(core::to_json(unexecuted_document(run)));
}

}  // namespace chimera::service
