#include "stamped_stream_reader.hpp"

#include <chrono>
#include <string>
#include <string_view>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/error.hpp>
#include <gtest/gtest.h>

#include "receive_stamps_on.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;
using chimera::service::stamped_read;
using chimera::service::stamped_stream_reader;

/// A connected pair on loopback: `client` is read with receive stamps, `peer` writes.
class StampedStreamReader : public ::testing::Test {
protected:
    void SetUp() override {
        tcp::acceptor acceptor{io_, {asio::ip::make_address("127.0.0.1"), 0}};
        client_.socket().connect(acceptor.local_endpoint());
        acceptor.accept(peer_);
        client_.socket().non_blocking(true);
        chimera::service::enable_receive_stamps(client_);
    }

    void send(std::string_view bytes) { asio::write(peer_, asio::buffer(bytes)); }

    stamped_read read_waiting(stamped_stream_reader& reader, steady::duration timeout) {
        auto done = asio::co_spawn(io_, reader.read_waiting(steady::now() + timeout), asio::use_future);
        io_.run();
        io_.restart();
        return done.get();
    }

    chimera::service::test::receive_stamps_on stamps_on_;
    asio::io_context io_{1};
    beast::tcp_stream client_{io_};
    tcp::socket peer_{io_};
    beast::flat_buffer buffer_;
};

TEST_F(StampedStreamReader, ReadNowTakesNothingFromAnEmptySocketWithoutWaiting) {
    stamped_stream_reader reader{client_, buffer_};
    const auto got = reader.read_now();
    EXPECT_FALSE(got.ec);
    EXPECT_EQ(got.bytes, 0U);
    EXPECT_EQ(buffer_.size(), 0U);
}

// The point of the stamps: bytes that waited in the socket are timed by their arrival,
// not by the read. The wait below makes the read late on purpose; it synchronises nothing.
TEST_F(StampedStreamReader, BytesThatWaitedInTheSocketAreTimedByTheirArrival) {
    stamped_stream_reader reader{client_, buffer_};
    const auto before_send = steady::now();
    send("{\"response\":\"a\"}\n");
    std::this_thread::sleep_for(std::chrono::milliseconds{30});
    const auto read_at = steady::now();
    const auto got = reader.read_now();
    ASSERT_FALSE(got.ec) << got.ec.message();
    EXPECT_EQ(got.bytes, 17U);
    EXPECT_TRUE(got.stamped);
    EXPECT_EQ(beast::buffers_to_string(buffer_.data()), "{\"response\":\"a\"}\n");
    // The stamp is on the real-time clock and converted: allow for the two clocks' reads.
    EXPECT_GE(got.arrived + std::chrono::milliseconds{1}, before_send);
    EXPECT_LE(got.arrived + std::chrono::milliseconds{20}, read_at);
}

TEST_F(StampedStreamReader, ReadWaitingReturnsBytesAlreadyThere) {
    stamped_stream_reader reader{client_, buffer_};
    send("ab");
    const auto got = read_waiting(reader, std::chrono::seconds{5});
    ASSERT_FALSE(got.ec) << got.ec.message();
    EXPECT_EQ(got.bytes, 2U);
}

TEST_F(StampedStreamReader, ReadWaitingWakesForBytesSentWhileItWaits) {
    stamped_stream_reader reader{client_, buffer_};
    auto done = asio::co_spawn(io_, reader.read_waiting(steady::now() + std::chrono::seconds{5}), asio::use_future);
    io_.poll();  // the read found the socket empty and now waits on it
    send("late");
    io_.run();
    const auto got = done.get();
    ASSERT_FALSE(got.ec) << got.ec.message();
    EXPECT_EQ(beast::buffers_to_string(buffer_.data()), "late");
}

TEST_F(StampedStreamReader, ReadWaitingTimesOutWhenNothingComes) {
    stamped_stream_reader reader{client_, buffer_};
    const auto got = read_waiting(reader, std::chrono::milliseconds{50});
    EXPECT_EQ(got.ec, beast::error::timeout);
    EXPECT_EQ(got.bytes, 0U);
}

TEST_F(StampedStreamReader, ThePeersCloseIsEndOfStream) {
    stamped_stream_reader reader{client_, buffer_};
    peer_.close();
    const auto got = read_waiting(reader, std::chrono::seconds{5});
    EXPECT_EQ(got.ec, asio::error::eof);
}

TEST_F(StampedStreamReader, ClosingTheSocketEndsAWaitingRead) {
    stamped_stream_reader reader{client_, buffer_};
    auto done = asio::co_spawn(io_, reader.read_waiting(steady::now() + std::chrono::seconds{30}), asio::use_future);
    io_.poll();       // the read is now waiting on the socket
    client_.close();  // as run_cancellation does
    io_.run();
    const auto got = done.get();
    EXPECT_TRUE(got.ec);
    EXPECT_NE(got.ec, beast::error::timeout);
}

}  // namespace
