#include "chimera/backend/run_cancellation.hpp"

#include <chrono>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <gtest/gtest.h>

namespace chimera::service {
namespace {

namespace asio = boost::asio;
using core::cancel_reason;

struct run_cancellation_test : testing::Test {
    asio::io_context io;
    boost::beast::tcp_stream stream{io};
    run_cancellation cancellation;

    void SetUp() override { stream.socket().open(asio::ip::tcp::v4()); }
};

TEST_F(run_cancellation_test, cancel_closes_the_attached_stream) {
    const auto exposed = cancellation.attach(stream);
    cancellation.cancel(cancel_reason::user);
    EXPECT_FALSE(stream.socket().is_open());
    EXPECT_TRUE(cancellation.cancelled());
    EXPECT_EQ(cancellation.reason(), cancel_reason::user);
}

TEST_F(run_cancellation_test, a_stream_is_left_alone_once_its_guard_is_gone) {
    { const auto exposed = cancellation.attach(stream); }
    cancellation.cancel(cancel_reason::user);
    EXPECT_TRUE(stream.socket().is_open());
    EXPECT_TRUE(cancellation.cancelled());
}

TEST_F(run_cancellation_test, a_stream_attached_after_the_cancellation_is_closed_at_once) {
    cancellation.cancel(cancel_reason::drain);
    const auto exposed = cancellation.attach(stream);
    EXPECT_FALSE(stream.socket().is_open());
}

TEST_F(run_cancellation_test, a_moved_guard_still_detaches_once) {
    auto first = cancellation.attach(stream);
    auto moved = std::move(first);
    cancellation.cancel(cancel_reason::user);
    EXPECT_FALSE(stream.socket().is_open());
}

TEST_F(run_cancellation_test, a_guard_replaced_by_a_newer_one_leaves_the_new_stream_exposed) {
    boost::beast::tcp_stream reconnected{io};
    reconnected.socket().open(asio::ip::tcp::v4());
    auto exposed = cancellation.attach(stream);
    exposed = cancellation.attach(reconnected);  // as a call does when it replaces a dead pooled connection
    cancellation.cancel(cancel_reason::user);
    EXPECT_FALSE(reconnected.socket().is_open());
    EXPECT_TRUE(stream.socket().is_open());
}

TEST_F(run_cancellation_test, cancel_cuts_an_attached_timer_short) {
    asio::steady_timer timer{io, std::chrono::hours{1}};
    bool aborted = false;
    timer.async_wait([&](const boost::system::error_code& ec) { aborted = ec == asio::error::operation_aborted; });
    const auto exposed = cancellation.attach(timer);
    cancellation.cancel(cancel_reason::user);
    io.run_for(std::chrono::seconds{5});
    EXPECT_TRUE(aborted);
}

TEST_F(run_cancellation_test, a_timer_attached_after_the_cancellation_ends_its_wait_at_once) {
    cancellation.cancel(cancel_reason::user);
    asio::steady_timer timer{io, std::chrono::hours{1}};
    const auto exposed = cancellation.attach(timer);
    bool ended = false;
    timer.async_wait([&](const boost::system::error_code&) { ended = true; });
    io.run_for(std::chrono::seconds{5});
    EXPECT_TRUE(ended);
}

TEST_F(run_cancellation_test, the_first_reason_stays) {
    cancellation.cancel(cancel_reason::user);
    cancellation.cancel(cancel_reason::drain);
    EXPECT_EQ(cancellation.reason(), cancel_reason::user);
}

TEST_F(run_cancellation_test, a_lost_lease_overrides_any_reason) {
    cancellation.cancel(cancel_reason::drain);
    cancellation.cancel(cancel_reason::lease_lost);
    cancellation.cancel(cancel_reason::user);
    EXPECT_EQ(cancellation.reason(), cancel_reason::lease_lost);
}

TEST_F(run_cancellation_test, nothing_is_cancelled_until_asked) {
    const auto exposed = cancellation.attach(stream);
    EXPECT_FALSE(cancellation.cancelled());
    EXPECT_FALSE(cancellation.reason().has_value());
    EXPECT_TRUE(stream.socket().is_open());
}

}  // namespace
}  // namespace chimera::service
