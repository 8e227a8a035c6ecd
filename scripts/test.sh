#!/usr/bin/env bash
# The whole test suite: format check, warnings-as-errors Release build with every
# test (unit, integration, API contract), the benchmark suite's regression guard, then
# the same tests under ASan+UBSan.
# CHIMERA_SANITIZE=0 skips the sanitizer pass (it doubles the build time).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
jobs=$(nproc)
# Ninja schedules both cores better than make; a build tree keeps the generator it was made with.
export CMAKE_GENERATOR=${CMAKE_GENERATOR:-Ninja}

if command -v clang-format >/dev/null; then
  git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCHIMERA_WERROR=ON -DCHIMERA_UNITY_BUILD=ON
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

# A short run of the benchmark suite, alone on the machine: fails when a guarded figure (a ratio,
# size or count, never an absolute time) regressed against the committed baseline.
# CHIMERA_BENCH=0 skips it.
if [[ "${CHIMERA_BENCH:-1}" == 1 ]]; then
  /usr/bin/python3 tests/bench/run_suite.py --quick --build build --out build/bench \
    --check tests/bench/baseline.json
fi

if [[ "${CHIMERA_SANITIZE:-1}" == 1 ]]; then
  # The micro-benchmarks are left out: their figures come from the Release build, and the code
  # they run is the code the unit tests run here.
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCHIMERA_SANITIZE=ON -DCHIMERA_WERROR=ON -DCHIMERA_UNITY_BUILD=ON \
    -DCHIMERA_BUILD_BENCH=OFF
  cmake --build build-asan -j"$jobs"
  # The module layout was checked in the Release pass; its probes compile, they run nothing.
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs" -LE layout
fi
