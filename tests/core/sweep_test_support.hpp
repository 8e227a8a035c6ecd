#pragma once

#include <initializer_list>
#include <string>
#include <utility>

#include "chimera/core/sweep/sweep_observation.hpp"

namespace chimera::core::test {

/// A run whose calls have the given (ttft_ms, load_ms) pairs.
inline run_observation run_with(double tok_s, std::initializer_list<std::pair<double, double>> calls) {
    run_observation run;
    run.tokens_per_second = tok_s;
    run.tokens_generated = 1500;
    run.duration_ms = 19000;
    for (const auto& [ttft, load] : calls) run.calls.push_back({ttft, load});
    return run;
}

/// A run with one cold and one warm call, like a Chimera run right after an option change.
inline run_observation cold_then_warm(double tok_s, double cold_ttft, double warm_ttft) {
    return run_with(tok_s, {{cold_ttft, 3300}, {warm_ttft, 9}});
}

inline observed_arm arm_of(std::string label, std::initializer_list<run_observation> runs) {
    observed_arm arm;
    arm.label = std::move(label);
    arm.runs = runs;
    return arm;
}

/// Shared baseline (3 runs) and two configs (3 runs each): one clearly faster, one slower.
inline sweep_observations small_sweep() {
    sweep_observations sweep;
    sweep.model = "gemma3:latest";
    sweep.baselines.push_back(arm_of("baseline", {cold_then_warm(98.0, 3600, 200), cold_then_warm(98.5, 3700, 210),
                                                  cold_then_warm(99.0, 3800, 220)}));
    auto fast = arm_of("gpu80_ctx512_temp0.8", {cold_then_warm(101.0, 3500, 180), cold_then_warm(101.5, 3550, 190),
                                                cold_then_warm(102.0, 3600, 200)});
    fast.options.num_gpu = 80;
    fast.options.num_ctx = 512;
    fast.options.temperature = 0.8;
    auto slow = arm_of("gpu60_ctx256_temp0.6", {cold_then_warm(97.0, 3900, 230), cold_then_warm(98.0, 4000, 240),
                                                cold_then_warm(98.3, 4100, 250)});
    slow.options.num_gpu = 60;
    sweep.configs.push_back({std::move(slow), 0, true});
    sweep.configs.push_back({std::move(fast), 0, true});
    return sweep;
}

}  // namespace chimera::core::test
