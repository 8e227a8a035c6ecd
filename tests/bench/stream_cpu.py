#!/usr/bin/env python3
"""CPU per streamed token of `chimera run`, for one or more builds, on Ollama's wire or an
OpenAI-compatible engine's.

Each round runs, for every build in turn, `chimera run --runs 1` with two calls of --tokens tokens
at 20,000 tok/s and then with --num-predict 1, against one ollama-sim (--engine ollama, llamacpp or
vllm); the figure of a round is the difference in CPU time (wait4: utime + stime, all threads) over
the difference in tokens. Builds take turns within a round, so a busy minute costs them alike.
Printed per build: the median over rounds, each round's figure, and the context switches of the
long runs (a window of tokens is one wake-up of the io thread, and a wake-up costs more than a
token: docs/benchmarks.md, "CPU per streamed token").

client_overhead.py measures the same on Ollama's wire beside the Python reference agent; this
compares builds and engines.

usage: tests/bench/stream_cpu.py [--engine ollama|llamacpp|vllm] [--rounds 10] [--tokens 20000] BUILD...
Each BUILD is a build directory holding bin/chimera; the simulator is the first one's.
"""
import argparse
import json
import os
import statistics
import tempfile

import benchlib

CORPUS = os.path.join(benchlib.DATA_ROOT, "tr109")
RATE = 20000


def run(binary, backend, tokens, scratch):
    """One `chimera run`: its CPU seconds, tokens streamed and context switches."""
    out_dir = tempfile.mkdtemp(dir=scratch)
    argv = [binary, "run", "--data-dir", CORPUS, "--backend", backend, "--runs", "1",
            "--model", f"fault/tokens-per-second={RATE}", "--output-dir", out_dir, "--log-level", "warn",
            "--num-predict", str(tokens)]
    pid = os.spawnv(os.P_NOWAIT, binary, argv)
    _, status, usage = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{binary} run exited with {os.waitstatus_to_exitcode(status)}")
    with open(os.path.join(out_dir, "run_1", "run.json")) as f:
        doc = json.load(f)
    if doc["status"] != "succeeded":
        raise SystemExit(f"run {doc['status']}: {doc['error']}")
    streamed = sum(c["tokens_generated"] for c in doc["calls"])
    return usage.ru_utime + usage.ru_stime, streamed, usage.ru_nvcsw + usage.ru_nivcsw


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("ollama", "llamacpp", "vllm"), default="ollama")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--tokens", type=int, default=20000, help="tokens per call of the long runs")
    parser.add_argument("builds", nargs="+")
    args = parser.parse_args()
    sim, port = benchlib.start_sim(args.builds[0], "--engine", args.engine)
    kind = "ollama" if args.engine == "ollama" else "openai"
    backend = f"sim=http://127.0.0.1:{port},kind={kind}"
    binaries = [os.path.join(build, "bin", "chimera") for build in args.builds]
    figures = {binary: [] for binary in binaries}
    switches = {binary: [] for binary in binaries}
    try:
        with tempfile.TemporaryDirectory(prefix="chimera-stream-cpu-") as scratch:
            for _ in range(args.rounds):
                for binary in binaries:
                    long_cpu, long_tokens, long_switches = run(binary, backend, args.tokens, scratch)
                    short_cpu, short_tokens, _ = run(binary, backend, 1, scratch)
                    figures[binary].append((long_cpu - short_cpu) * 1e6 / (long_tokens - short_tokens))
                    switches[binary].append(long_switches)
    finally:
        benchlib.stop(sim)
    for build, binary in zip(args.builds, binaries):
        rounds = " ".join(f"{x:.2f}" for x in figures[binary])
        print(f"{build}: {statistics.median(figures[binary]):.3f} µs per token on {args.engine}'s wire "
              f"(rounds: {rounds}); context switches {min(switches[binary])}-{max(switches[binary])}")


if __name__ == "__main__":
    main()
