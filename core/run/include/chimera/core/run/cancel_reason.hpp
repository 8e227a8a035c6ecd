#pragma once

namespace chimera::core {

/// Why a running run was stopped, which decides what becomes of it: a user's cancellation
/// is recorded (`cancelled`), a drain hands the run back to the queue, and a run whose lease
/// went to another process has its result discarded (that process owns the run now).
enum class cancel_reason { user, drain, lease_lost };

}  // namespace chimera::core
