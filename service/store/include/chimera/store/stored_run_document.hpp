#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "chimera/core/run/run_document.hpp"
#include "chimera/store/run_store.hpp"

namespace chimera::service {

/// The document of a run as first queued, rebuilt from its accepted request: what a
/// worker starts from, after a restart as much as after the POST.
/// Throws store_error when the stored request no longer parses.
[[nodiscard]] core::run_document document_from_request(const stored_run& run);

/// The document of a run that ended without being executed to its end by this store's
/// workers' record (cancelled while queued, failed by recovery): the request's document
/// with the row's state and error.
[[nodiscard]] core::run_document unexecuted_document(const stored_run& run);

/// `GET /runs/{id}` for a run not executing in this process: its final document when
/// it ran to an end, else the request's document with the row's state and error.
[[nodiscard]] nlohmann::json stored_run_json(const stored_run& run);

/// The same document as JSON text. A final document is served as stored (it was written
/// by the same serialiser), only checked to be a whole object: no JSON is parsed per request.
[[nodiscard]] std::string stored_run_text(const stored_run& run);

}  // namespace chimera::service
