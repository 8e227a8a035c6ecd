#pragma once

#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

#include "chimera/asio/awaitable.hpp"

namespace boost::asio {
class thread_pool;
}

namespace chimera::service {

/// Where the store's synchronous calls run. The embedded SQLite store answers in tens of
/// microseconds from a local file, so its calls run inline on the io thread; a networked store
/// (PostgreSQL) runs them on a bounded pool of their own, so a database round trip, or a
/// database that stopped answering, never holds the thread that serves HTTP. Either way the
/// caller resumes on its own executor, and a store_error thrown by the call reaches it.
class store_calls {
public:
    /// Inline: for a store that never waits on the network.
    store_calls() = default;
    /// On `pool`, whose threads bound the calls in flight; the store must be thread-safe.
    explicit store_calls(boost::asio::thread_pool& pool) : pool_(&pool) {}

    /// `call()`'s result, computed where this store's calls run.
    template <typename Call>
    awaitable<std::invoke_result_t<Call&>> operator()(Call call) const {
        using result = std::invoke_result_t<Call&>;
        if constexpr (std::is_void_v<result>) {
            co_await run(std::function<void()>{std::ref(call)});
        } else {
            std::optional<result> out;
            co_await run([&call, &out] { out.emplace(call()); });
            co_return std::move(*out);
        }
    }

private:
    awaitable<void> run(std::function<void()> call) const;

    boost::asio::thread_pool* pool_ = nullptr;
};

}  // namespace chimera::service
