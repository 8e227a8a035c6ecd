#pragma once

#include <string_view>

namespace chimera::service {

// The PostgreSQL notification channels replicas talk through (pg_run_store::notify, pg_notification_listener).
// A notification is a wake-up, never the only way to learn of a change: one sent while a listener is reconnecting
// is lost, so listeners poll as well and re-check everything after a reconnect.

/// Payload "": a run was queued, or the head of the queue may be claimable now.
inline constexpr std::string_view work_channel = "chimera_work";
/// Payload: the id of a run whose owner must stop it.
inline constexpr std::string_view cancel_channel = "chimera_cancel";
/// Payload: JSON text of a run event.
inline constexpr std::string_view run_event_channel = "chimera_run_event";

}  // namespace chimera::service
