#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "http_client.hpp"

extern char** environ;  // NOLINT: POSIX

namespace chimera::testing {

child_process::child_process(std::vector<std::string> argv, const std::filesystem::path& stderr_file)
    : program_(std::filesystem::path{argv.at(0)}.filename().string()) {
    int fds[2];
    if (pipe(fds) != 0) {
        throw std::runtime_error("pipe failed");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    if (!stderr_file.empty()) {
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                         0644);
    }
    std::vector<char*> args;
    for (auto& arg : argv) {
        args.push_back(arg.data());
    }
    args.push_back(nullptr);
    const int rc = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
    }
    stdout_fd_ = fds[0];
}

child_process::~child_process() {
    if (pid_ > 0) {
        terminate();
    }
    if (stdout_fd_ >= 0) {
        close(stdout_fd_);
    }
}

std::string child_process::read_line(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (const auto newline = pending_.find('\n'); newline != std::string::npos) {
            auto line = pending_.substr(0, newline);
            pending_.erase(0, newline + 1);
            return line;
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd pfd{stdout_fd_, POLLIN, 0};
        if (left.count() <= 0 || poll(&pfd, 1, static_cast<int>(left.count())) <= 0) {
            throw std::runtime_error("timed out waiting for output of pid " + std::to_string(pid_));
        }
        char buffer[4096];
        const auto n = read(stdout_fd_, buffer, sizeof buffer);
        if (n <= 0) {
            throw std::runtime_error("pid " + std::to_string(pid_) + " closed its stdout");
        }
        pending_.append(buffer, static_cast<std::size_t>(n));
    }
}

int child_process::wait_for_exit(std::chrono::milliseconds timeout) {
    int status = 0;
    for (std::chrono::milliseconds waited{0}; waited < timeout; waited += std::chrono::milliseconds{10}) {
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        usleep(10'000);  // bounded wait for exit; not synchronising test logic
    }
    return -1;
}

int child_process::terminate() {
    if (pid_ <= 0) {
        return -1;
    }
    kill(pid_, SIGTERM);
    if (const int code = wait_for_exit(std::chrono::seconds{5}); code >= 0) {
        return code;
    }
    int status = 0;
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return 128 + SIGKILL;
}

unsigned short read_listening_port(child_process& process, std::string_view announcement) {
    const auto line = process.read_line(std::chrono::seconds{20});
    const auto colon = line.rfind(':');
    if (!line.starts_with(announcement) || colon == std::string::npos) {
        throw std::runtime_error("unexpected line: " + line);
    }
    const auto port = static_cast<unsigned short>(std::stoul(line.substr(colon + 1)));
    note_server(port, process.program());
    return port;
}

}  // namespace chimera::testing
