#include "replica_fleet.hpp"

#include <csignal>

#include <gtest/gtest.h>

#include "postgres_server.hpp"
#include "service_binaries.hpp"
#include "service_stack.hpp"

namespace chimera::testing {

using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

/// postgresql://postgres@127.0.0.1:PORT/NAME of the conninfo's database: the form --store takes.
std::string store_url_of(const std::string& conninfo, int port) {
    const std::string key = "dbname=";
    const auto at = conninfo.find(key);
    auto name = conninfo.substr(at + key.size());
    name = name.substr(0, name.find(' '));
    std::string url = "postgresql://postgres@127.0.0.1:";
    url.append(std::to_string(port)).append("/").append(name);
    return url;
}

std::vector<std::string> with(std::vector<std::string> base, const std::vector<std::string>& more) {
    base.insert(base.end(), more.begin(), more.end());
    return base;
}

bool terminal(const json& document) {
    const auto status = document.value("status", "");
    return status == "succeeded" || status == "failed" || status == "cancelled";
}

}  // namespace

replica_fleet::replica_fleet(std::size_t replicas,
                             const std::vector<std::string>& sim_flags,
                             std::vector<std::string> service_flags)
    : store_url_(store_url_of(test_support::shared_postgres_server().create_database(),
                              test_support::shared_postgres_server().port())),
      sim_(sim_argv(sim_flags)),
      sim_port_(read_listening_port(sim_)),
      service_flags_(std::move(service_flags)) {
    for (std::size_t i = 0; i < replicas; ++i) {
        replicas_.push_back(std::make_unique<replica>());
        start_replica(*replicas_.back());
    }
    balancer_ = std::make_unique<nginx_balancer>(live_ports());
}

replica_fleet::~replica_fleet() = default;

void replica_fleet::start_replica(replica& member) {
    auto argv = with({test_support::chimera_binary(), "serve", "--listen", "127.0.0.1:0", "--ollama-url",
                      "http://127.0.0.1:" + std::to_string(sim_port_), "--data-root", CHIMERA_TEST_DATA_DIR,
                      "--state-dir", member.state.path().string(), "--store", store_url_, "--drain-timeout", "100ms"},
                     service_flags_);
    member.process = std::make_unique<child_process>(std::move(argv));
    member.pid = member.process->pid();
    member.port = read_listening_port(*member.process);
    poll_until(
        member.port, "/readyz", [](const http_reply& r) { return r.status == 200; }, 20s);
}

std::vector<unsigned short> replica_fleet::live_ports() const {
    std::vector<unsigned short> ports;
    for (const auto& member : replicas_) {
        if (member->alive) ports.push_back(member->port);
    }
    return ports;
}

unsigned short replica_fleet::replica_port(std::size_t index) const { return replicas_.at(index)->port; }

std::size_t replica_fleet::replica_of(const json& document) const {
    const auto executed_by = document.value("executed_by", json(nullptr));
    if (!executed_by.is_string()) return size();
    const auto name = executed_by.get<std::string>();
    for (std::size_t i = 0; i < replicas_.size(); ++i) {
        std::string pid = "-";
        pid.append(std::to_string(replicas_[i]->pid)).append("-");
        if (name.find(pid) != std::string::npos) return i;
    }
    return size();
}

void replica_fleet::kill_replica(std::size_t index) {
    auto& member = *replicas_.at(index);
    ::kill(member.process->pid(), SIGKILL);
    member.process->wait_for_exit(10s);
    member.alive = false;
    balancer_->reload(live_ports());
}

void replica_fleet::replace_replica(std::size_t index) {
    auto& old = replicas_.at(index);
    old->alive = false;
    balancer_->reload(live_ports());
    EXPECT_EQ(old->process->terminate(), 0) << "a drained replica exits 0";
    old = std::make_unique<replica>();
    start_replica(*old);
    balancer_->reload(live_ports());
}

std::string replica_fleet::submit(const json& body) const {
    const auto reply = http_request(port(), "POST", "/runs", body.dump());
    EXPECT_EQ(reply.status, 202U) << reply.body;
    return json::parse(reply.body).at("id").get<std::string>();
}

json replica_fleet::wait_finished(const std::string& id) const {
    const auto reply = poll_until(
        port(), "/runs/" + id, [](const http_reply& r) { return r.status == 200 && terminal(json::parse(r.body)); },
        90s);
    return json::parse(reply.body);
}

json replica_fleet::sim_stats() const { return json::parse(http_request(sim_port_, "GET", "/sim/stats").body); }

}  // namespace chimera::testing
