#pragma once

#include <thread>

namespace chimera::service {

/// Maps the program's machine code into its page tables, on a thread of its own, while the
/// caller goes on. `chimera run` starts it before a run's files are read: the first LLM call
/// then runs code (Beast's writer and parser, the stream decoders) that no earlier step had
/// used, and each first touch of a 4 KiB code page was a page fault inside the call's TTFT,
/// dear on a virtual machine (docs/benchmarks.md, "The first call"). A long-lived
/// `chimera serve` pays those faults once, in its first run, and does not use this.
///
/// Best effort: a kernel without MADV_POPULATE_READ (before Linux 5.14) leaves the faults
/// where they were. Joins on destruction.
class code_prefault {
public:
    code_prefault();

private:
    std::jthread worker_;
};

}  // namespace chimera::service
