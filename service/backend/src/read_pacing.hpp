#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <optional>

namespace chimera::service {

/// When a stream's next socket read is made. A token stream slower than one token per
/// min_window is read as each token lands. A faster one is held back: the next read waits
/// out a window, so one wake-up of the io thread and one recvmsg take all the tokens of the
/// window instead of one each. The wake-up, not the tokens, is most of what a read costs
/// (on this project's 2-vCPU machine, about 29 µs for the sleep, the timer and the ACK of
/// a read, against half a microsecond per token: docs/benchmarks.md, "Fifth round").
///
/// The window is as long as tokens_per_wake tokens take at the rate the last window
/// brought, between min_window and max_window: 20,000 tok/s gets 12.8 ms, 2,000 tok/s 16 ms.
/// What it costs:
///   - in accuracy, nothing measured: the first token is never held back, every read is
///     timed by the kernel's receive stamp (stamped_stream_reader), so the end of the stream
///     is when the final chunk arrived, not when the window ended; and the gaps within a
///     window are spread evenly (token_batch). min_window keeps the streams real engines
///     produce (up to a few hundred tok/s) read token by token, so the gap histogram keeps
///     their cadence.
///   - a listener to the run's events gets a fast stream's tokens in bursts, at most
///     max_window late, one 60 Hz frame. Halving the wake-ups of 128-token windows took a
///     fifth off the CPU per token (docs/benchmarks.md, "Eighth round").
class read_pacing {
public:
    using clock = std::chrono::steady_clock;
    static constexpr clock::duration min_window = std::chrono::milliseconds{2};
    static constexpr clock::duration max_window = std::chrono::milliseconds{16};
    static constexpr std::size_t tokens_per_wake = 256;

    explicit read_pacing(clock::time_point start) : last_read_(start) {}

    /// After a read made at `now` that brought `tokens` tokens: when the next read is due,
    /// or none when it should wait for the socket (a slow stream, or no token yet).
    std::optional<clock::time_point> after_read(clock::time_point now, std::size_t tokens, bool streaming) {
        tokens += drained_tokens_;
        drained_tokens_ = 0;
        const auto took = now - last_read_;
        last_read_ = now;
        const bool fast = streaming && tokens > 0 && took < min_window * static_cast<clock::rep>(tokens);
        if (!fast) {
            return std::nullopt;
        }
        const auto wanted = took * static_cast<clock::rep>(tokens_per_wake) / static_cast<clock::rep>(tokens);
        return now + std::clamp(wanted, min_window, max_window);
    }

    /// After a read that filled its buffer, and is followed at once by another: its tokens
    /// count with that read's.
    void after_drain(std::size_t tokens) { drained_tokens_ += tokens; }

private:
    clock::time_point last_read_;  ///< the rate is the tokens since the last read over the time since it
    std::size_t drained_tokens_ = 0;
};

}  // namespace chimera::service
