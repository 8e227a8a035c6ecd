// Keep-alive connections waiting for their next request, so that POST /sim/drop-idle can close them
// the way a backend's idle timeout would. Not thread-safe: owned by the io thread.
#pragma once

#include <cstdint>
#include <map>

#include <boost/asio/ip/tcp.hpp>

namespace sim {

class idle_connections {
public:
    // Closes every idle connection and returns how many. Their sessions see their pending wait
    // aborted and end; a connection whose next request has begun to arrive is left alone.
    std::uint64_t drop_all();

private:
    friend class idle_period;
    std::map<std::uint64_t, boost::asio::ip::tcp::socket*> sockets_;
};

// Marks a connection idle for the object's lifetime: from the end of one response to the first byte
// of the next request.
class idle_period {
public:
    idle_period(idle_connections& idle, std::uint64_t connection_id, boost::asio::ip::tcp::socket& socket);
    idle_period(const idle_period&) = delete;
    idle_period& operator=(const idle_period&) = delete;
    ~idle_period();

private:
    idle_connections& idle_;
    std::uint64_t connection_id_;
};

}  // namespace sim
