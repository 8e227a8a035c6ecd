#!/usr/bin/env bash
# The whole test suite: format check; a warnings-as-errors Release build with the tests that
# run processes (integration, observability, API contract, deployment, module layout) and the
# benchmark suite's regression guard; then a sanitizer build (ASan+UBSan) with the unit tests,
# and the integration tests again against its chimera.
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
# With the sanitizer pass, the unit tests are built and run there only, under ASan+UBSan; the
# Release build holds what runs processes (the simulator, integration, observability, benchmarks).
unit_in_release=$([[ "$sanitize" == 1 ]] && echo OFF || echo ON)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCHIMERA_WERROR=ON -DCHIMERA_UNITY_BUILD=ON \
  -DCHIMERA_BUILD_UNIT_TESTS="$unit_in_release" -DCHIMERA_BUILD_PROCESS_TESTS=ON
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

# A short run of the benchmark suite, alone on the machine: fails when a guarded figure (a ratio,
# size or count, never an absolute time) regressed against the committed baseline.
# CHIMERA_BENCH=0 skips it.
if [[ "${CHIMERA_BENCH:-1}" == 1 ]]; then
  /usr/bin/python3 tests/bench/run_suite.py --quick --build build --out build/bench \
    --check tests/bench/baseline.json
fi

if [[ "$sanitize" == 1 ]]; then
  # The service and the unit tests under ASan+UBSan; the simulator and the test clients are not
  # what is under test, so the integration tests of the Release build run against this chimera.
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCHIMERA_SANITIZE=ON -DCHIMERA_WERROR=ON -DCHIMERA_UNITY_BUILD=ON \
    -DCHIMERA_BUILD_UNIT_TESTS=ON -DCHIMERA_BUILD_PROCESS_TESTS=OFF -DCHIMERA_BUILD_BENCH=OFF
  cmake --build build-asan -j"$jobs"
  export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
  ctest --test-dir build-asan --output-on-failure -j"$jobs"
  CHIMERA_BIN="$PWD/build-asan/bin/chimera" CHIMERA_BIN_OPTIMIZED=0 \
    ctest --test-dir build --output-on-failure -j"$jobs" -L integration
fi
