#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace chimera::testing {

/// A program started for a test, with its stdout piped to us and its stderr
/// inherited, or written to `stderr_file` when one is given. Terminated
/// (SIGTERM, then SIGKILL after 5 s) when destroyed.
class child_process {
public:
    explicit child_process(std::vector<std::string> argv, const std::filesystem::path& stderr_file = {});
    ~child_process();
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    /// The next line the program printed; throws std::runtime_error on timeout or EOF.
    std::string read_line(std::chrono::milliseconds timeout);

    /// Sends SIGTERM and waits up to 5 s, then SIGKILL; returns the exit status (or 128 + signal).
    int terminate();

    /// Waits for the program to exit by itself; its exit status (or 128 + signal), -1 when it
    /// is still running after `timeout`.
    int wait_for_exit(std::chrono::milliseconds timeout);

    [[nodiscard]] pid_t pid() const { return pid_; }
    [[nodiscard]] const std::string& program() const { return program_; }

private:
    std::string program_;  ///< argv[0]'s file name
    pid_t pid_ = -1;
    int stdout_fd_ = -1;
    std::string pending_;
};

/// The port of the next line, "<announcement>HOST:PORT", the way our servers announce their
/// listeners. The port is noted as served by the process's program (see note_server).
unsigned short read_listening_port(child_process& process, std::string_view announcement = "listening on ");

}  // namespace chimera::testing
