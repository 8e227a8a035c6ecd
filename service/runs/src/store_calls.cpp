#include "chimera/runs/store_calls.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace chimera::service {
namespace asio = boost::asio;
namespace {

/// A plain coroutine function, not a capturing coroutine lambda (GCC 12 double-destroys the
/// captures of those).
awaitable<void> call_on_pool(std::function<void()> call) {
    call();
    co_return;
}

}  // namespace

awaitable<void> store_calls::run(std::function<void()> call) const {
    if (pool_ == nullptr) {
        call();
        co_return;
    }
    co_await asio::co_spawn(pool_->get_executor(), call_on_pool(std::move(call)), asio::use_awaitable);
}

}  // namespace chimera::service
