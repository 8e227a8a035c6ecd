#include "serve_store.hpp"

#include <fstream>
#include <optional>
#include <stdexcept>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <spdlog/spdlog.h>

#include "chimera/runs/replica_event_relay.hpp"
#include "chimera/runs/run_scheduler.hpp"
#include "chimera/store/pg_notification_listener.hpp"
#include "chimera/store/pg_run_store.hpp"
#include "chimera/store/sqlite_run_store.hpp"
#include "chimera/store/state_dir_lock.hpp"
#include "chimera/store/store_channels.hpp"
#include "command_config.hpp"

namespace chimera::service {
namespace asio = boost::asio;
namespace {

std::string read_password(const std::filesystem::path& file) {
    std::ifstream in{file};
    std::string password;
    if (!in || !std::getline(in, password)) {
        throw store_error("cannot read the store's password from --store-password-file " + file.string());
    }
    if (!password.empty() && password.back() == '\r') password.pop_back();
    return password;
}

/// The URL without its query (which may hold options such as sslmode, but nothing secret is
/// allowed in it anyway) for the logs.
std::string redacted(const std::string& url) { return url.substr(0, url.find('?')); }

}  // namespace

struct serve_store::parts {
    std::optional<state_dir_lock> lock;
    std::unique_ptr<sqlite_run_store> sqlite;
    std::unique_ptr<pg_run_store> postgres;
    std::unique_ptr<asio::thread_pool> pool;
    std::unique_ptr<pg_notification_listener> listener;
    pg_store_settings settings;
    std::string url;
};

serve_store::serve_store(const serve_config& config) : parts_(std::make_unique<parts>()) {
    if (config.store_url.empty()) {
        parts_->lock.emplace(config.state_dir);
        parts_->sqlite = std::make_unique<sqlite_run_store>(config.state_dir);
        return;
    }
    auto& settings = parts_->settings;
    settings.conninfo = config.store_url;
    if (!config.store_password_file.empty()) settings.password = read_password(config.store_password_file);
    settings.connections = config.store_connections;
    parts_->url = redacted(config.store_url);
    parts_->postgres = std::make_unique<pg_run_store>(settings);
    parts_->pool = std::make_unique<asio::thread_pool>(config.store_connections);
}

serve_store::~serve_store() { stop(); }

run_store& serve_store::runs() {
    if (parts_->postgres) return *parts_->postgres;
    return *parts_->sqlite;
}

sweep_store& serve_store::sweeps() {
    if (parts_->postgres) return *parts_->postgres;
    return *parts_->sqlite;
}

store_calls serve_store::calls() const { return parts_->pool ? store_calls{*parts_->pool} : store_calls{}; }

bool serve_store::shared() const { return parts_->postgres != nullptr; }

std::string serve_store::description() const {
    return shared() ? "PostgreSQL " + parts_->url + " (shared by every replica)" : "SQLite in the state directory";
}

void serve_store::notify(const std::string& payload) {
    if (parts_->postgres) parts_->postgres->notify(run_event_channel, payload);
}

void serve_store::listen(asio::any_io_executor io, run_scheduler& scheduler, replica_event_relay& relay) {
    if (!parts_->postgres) return;
    auto on_notification = [io, &scheduler, &relay](std::string_view channel, std::string_view payload) {
        asio::post(io, [&scheduler, &relay, channel = std::string{channel}, payload = std::string{payload}] {
            if (channel == work_channel) {
                scheduler.work_arrived();
            } else if (channel == cancel_channel) {
                scheduler.cancel_live(payload);
            } else if (channel == run_event_channel) {
                relay.receive(payload);
            }
        });
    };
    // Notifications sent while the listener was down are lost: look at the store again.
    auto on_connected = [io, &scheduler, &relay] {
        asio::post(io, [&scheduler, &relay] {
            scheduler.work_arrived();
            relay.reconnected();
        });
    };
    parts_->listener = std::make_unique<pg_notification_listener>(
        parts_->settings.conninfo,
        std::vector<std::string>{std::string{work_channel}, std::string{cancel_channel},
                                 std::string{run_event_channel}},
        std::move(on_notification), std::move(on_connected));
}

void serve_store::stop() {
    parts_->listener.reset();
    if (parts_->pool) parts_->pool->join();
}

}  // namespace chimera::service
