#!/usr/bin/env bash
# The benchmark suite: installs what is missing, builds Release, runs every benchmark of
# tests/bench alone and writes build/bench/results.md and results.json.
# Arguments go to tests/bench/run_suite.py: --quick (CI's short version), --only client,load,
# --check tests/bench/baseline.json (fail on a regression against the committed baseline).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
export CMAKE_GENERATOR=${CMAKE_GENERATOR:-Ninja}
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"
exec /usr/bin/python3 tests/bench/run_suite.py --build build --out build/bench "$@"
