#include "sim_connections.hpp"

namespace sim {

std::uint64_t idle_connections::drop_all() {
    std::uint64_t dropped = 0;
    for (auto it = sockets_.begin(); it != sockets_.end();) {
        auto& socket = *it->second;
        boost::system::error_code ec;
        // Bytes already here are a request on its way: closing now would lose it, not drop an idle line.
        if (socket.available(ec) > 0) {
            ++it;
            continue;
        }
        // A plain close sends FIN, as Go's idle timeout does. The session's own wait ends with
        // operation_aborted; its handler runs later, on this same thread.
        socket.close(ec);
        it = sockets_.erase(it);
        ++dropped;
    }
    return dropped;
}

idle_period::idle_period(idle_connections& idle, std::uint64_t connection_id, boost::asio::ip::tcp::socket& socket)
    : idle_{idle}, connection_id_{connection_id} {
    idle_.sockets_[connection_id_] = &socket;
}

idle_period::~idle_period() { idle_.sockets_.erase(connection_id_); }

}  // namespace sim
