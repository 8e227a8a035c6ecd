#!/usr/bin/env bash
# The whole test suite: format check; a warnings-as-errors Release build (GCC) with the tests that
# run processes (observability, API contract, deployment, the integration tests that need an
# optimized build) and the benchmark suite's regression guard; then a sanitizer build (ASan+UBSan,
# clang) with the unit tests and the module layout check, and every integration test against it.
# CHIMERA_SANITIZE=0 skips the sanitizer pass; the unit tests then run in the Release build.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
jobs=$(nproc)
# Ninja schedules both cores better than make; a build tree keeps the generator it was made with.
export CMAKE_GENERATOR=${CMAKE_GENERATOR:-Ninja}

if command -v clang-format >/dev/null; then
  git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror
fi

sanitize=${CHIMERA_SANITIZE:-1}
# With the sanitizer pass, the unit tests (and the module layout check) are built and run there
# only, under ASan+UBSan; the Release build holds what runs processes (the simulator, integration,
# observability, contracts, benchmarks).
unit_in_release=$([[ "$sanitize" == 1 ]] && echo OFF || echo ON)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCHIMERA_WERROR=ON -DCHIMERA_UNITY_BUILD=ON \
  -DCHIMERA_BUILD_UNIT_TESTS="$unit_in_release" -DCHIMERA_BUILD_PROCESS_TESTS=ON
cmake --build build -j"$jobs"
if [[ "$sanitize" == 1 ]]; then
  # The integration tests run against the sanitizer build's chimera below; here only those with
  # checks that need an optimized build (timing, memory: test_support::chimera_is_optimized()).
  ctest --test-dir build --output-on-failure -j"$jobs" -LE integration
  ctest --test-dir build --output-on-failure -j"$jobs" -L integration -R '^(RunService|Backpressure)\.'
else
  ctest --test-dir build --output-on-failure -j"$jobs"
fi

# A short run of the benchmark suite, alone on the machine: fails when a guarded figure (a ratio,
# size or count, never an absolute time) regressed against the committed baseline.
# CHIMERA_BENCH=0 skips it.
if [[ "${CHIMERA_BENCH:-1}" == 1 ]]; then
  /usr/bin/python3 tests/bench/run_suite.py --quick --build build --out build/bench \
    --check tests/bench/baseline.json
fi

if [[ "$sanitize" == 1 ]]; then
  # Clang for this pass: it builds the same code with the sanitizers in half GCC's time, and a
  # second compiler's warnings (errors here) catch what GCC's miss. The simulator and the test
  # clients are not what is under test, so the Release build's integration tests run against
  # this build's chimera, every one of them.
  cmake -S . -B build-asan -DCMAKE_CXX_COMPILER=clang++-16 -DCMAKE_BUILD_TYPE=Debug -DCHIMERA_SANITIZE=ON \
    -DCHIMERA_WERROR=ON -DCHIMERA_UNITY_BUILD=ON -DCHIMERA_BUILD_UNIT_TESTS=ON -DCHIMERA_BUILD_PROCESS_TESTS=OFF \
    -DCHIMERA_BUILD_BENCH=OFF
  cmake --build build-asan -j"$jobs"
  export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
  ctest --test-dir build-asan --output-on-failure -j"$jobs"
  CHIMERA_BIN="$PWD/build-asan/bin/chimera" CHIMERA_BIN_OPTIMIZED=0 \
    ctest --test-dir build --output-on-failure -j"$jobs" -L integration
fi
