#!/usr/bin/env bash
# The whole test suite: format check, warnings-as-errors Release build with every
# test (unit, integration, API contract), then the same tests under ASan+UBSan.
# CHIMERA_SANITIZE=0 skips the sanitizer pass (it doubles the build time).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
jobs=$(nproc)

if command -v clang-format >/dev/null; then
  git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCHIMERA_WERROR=ON
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

if [[ "${CHIMERA_SANITIZE:-1}" == 1 ]]; then
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCHIMERA_SANITIZE=ON -DCHIMERA_WERROR=ON
  cmake --build build-asan -j"$jobs"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs"
fi
