// What any client pays on its first call after the work a run does before it, with nothing of
// Chimera in it; first_call.py --reference runs it beside chimera. A blocking client connects to
// ollama-sim and checks it (GET /api/version), as a run does while it reads its files; then it
// sleeps, or reads and parses a data directory on two threads as a run's ingest does; then it
// makes four streamed /api/generate calls over the one connection, two requests of about the
// size of chimera's in turn. It prints each call's TTFT in ms, one per line, timed as chimera times it: from
// before the request's send to the kernel's receive stamp of the first token.
//
// usage: first_call_reference PORT MODEL [--pause-ms N] [--ingest DIR]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace {

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what + ": " + std::strerror(errno)); }

struct options {
    int port = 0;
    std::string model;
    int pause_ms = 0;
    std::filesystem::path ingest;
};

options parse(int argc, char** argv) {
    if (argc < 3) throw std::runtime_error("usage: first_call_reference PORT MODEL [--pause-ms N] [--ingest DIR]");
    options o{std::stoi(argv[1]), argv[2], 0, {}};
    for (int i = 3; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--pause-ms") {
            o.pause_ms = std::stoi(argv[i + 1]);
        } else if (flag == "--ingest") {
            o.ingest = argv[i + 1];
        } else {
            throw std::runtime_error("unknown flag " + flag);
        }
    }
    return o;
}

int connect_to(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) fail("socket");
    const int on = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    ::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
    // A simulator that stops answering fails the benchmark rather than hanging it.
    const timeval patience{30, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &patience, sizeof patience);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) fail("connect");
    return fd;
}

void send_all(int fd, const std::string& bytes) {
    for (std::size_t sent = 0; sent < bytes.size();) {
        const auto n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) fail("send");
        sent += static_cast<std::size_t>(n);
    }
}

/// Appends what one read brings to `into`; returns the kernel's receive stamp of it, or now when
/// the kernel gave none.
std::chrono::system_clock::time_point receive(int fd, std::string& into) {
    char bytes[65536];
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
    iovec vector{bytes, sizeof bytes};
    msghdr message{};
    message.msg_iov = &vector;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    const auto n = ::recvmsg(fd, &message, 0);
    if (n == 0) throw std::runtime_error("the simulator closed the connection");
    if (n < 0) fail("recvmsg (nothing within 30 s?)");
    into.append(bytes, static_cast<std::size_t>(n));
    for (auto* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
            timespec stamp{};
            std::memcpy(&stamp, CMSG_DATA(c), sizeof stamp);
            return std::chrono::system_clock::time_point{std::chrono::seconds{stamp.tv_sec} +
                                                         std::chrono::nanoseconds{stamp.tv_nsec}};
        }
    }
    return std::chrono::system_clock::now();  // no stamp on this read: now, as chimera does
}

std::string slurp(const std::filesystem::path& path) {
    std::ifstream in{path, std::ios::binary};
    return {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

/// Reads and parses every file under `root` on two threads, as a run's ingest does.
void ingest(const std::filesystem::path& root) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
    }
    std::size_t seen[2] = {0, 0};
    auto read_half = [&](std::size_t half) {
        for (std::size_t i = half; i < files.size(); i += 2) {
            const auto text = slurp(files[i]);
            seen[half] += files[i].extension() == ".json"
                              ? nlohmann::json::parse(text, nullptr, false).size()
                              : static_cast<std::size_t>(std::count(text.begin(), text.end(), ','));
        }
    };
    std::thread first{read_half, 0};
    std::thread second{read_half, 1};
    first.join();
    second.join();
    std::cerr << "ingested " << files.size() << " files, " << seen[0] + seen[1] << " items\n";
}

std::string generate_request(const options& o, std::size_t prompt_bytes) {
    std::string prompt = "Analyse the following LLM inference benchmark data and provide insights.";
    while (prompt.size() < prompt_bytes) prompt += " throughput 114.5 tok/s, ttft 603 ms, p95 latency 2.1 s;";
    const auto body = nlohmann::json{{"model", o.model}, {"prompt", prompt}, {"stream", true}}.dump();
    return "POST /api/generate HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(o.port) +
           "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

/// One streamed call: its TTFT in ms; returns once the chunked body has ended.
double streamed_call(int fd, const std::string& request) {
    const auto start = std::chrono::system_clock::now();
    send_all(fd, request);
    std::string body;
    std::chrono::system_clock::time_point first_token{};
    bool have_token = false;
    while (body.size() < 5 || body.compare(body.size() - 5, 5, "0\r\n\r\n") != 0) {
        const auto stamp = receive(fd, body);
        if (body.size() >= 12 && body.compare(0, 12, "HTTP/1.1 200") != 0) {
            throw std::runtime_error("the simulator answered " + body.substr(0, body.find('\r')));
        }
        if (!have_token && body.find("\"response\"") != std::string::npos) {
            first_token = stamp;
            have_token = true;
        }
    }
    return std::chrono::duration<double, std::milli>(first_token - start).count();
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const auto o = parse(argc, argv);
        const int fd = connect_to(o.port);
        send_all(fd, "GET /api/version HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(o.port) + "\r\n\r\n");
        std::string check;
        while (check.find('}') == std::string::npos) receive(fd, check);
        if (!o.ingest.empty()) ingest(o.ingest);
        std::this_thread::sleep_for(std::chrono::milliseconds{o.pause_ms});
        // About the sizes of chimera's analysis and report request bodies for tests/data/tr109.
        const std::string requests[2] = {generate_request(o, 4065), generate_request(o, 4429)};
        for (int call = 0; call < 4; ++call) std::printf("%.4f\n", streamed_call(fd, requests[call % 2]));
        ::close(fd);
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "first_call_reference: " << e.what() << '\n';
        return 1;
    }
}
