#!/usr/bin/env python3
"""Client TTFT overhead, start-up time and memory of `chimera serve` against ollama-sim.

For every LLM call, compares the TTFT chimera measured (call start -> arrival of the first
non-empty token, by the kernel's receive stamp) with the TTFT the simulator measured
server-side (request read -> first token written). The difference is what our client adds:
connection checkout, request write, the trips over loopback. Also: process start to the first 200 from
/readyz, and chimera's peak RSS (VmHWM) over the runs.

usage: tests/bench/service_bench.py [--build build] [--runs 20] [--tokens 100]
                                   [--tokens-per-second 200] [--json out.json]
CPU per token is only meaningful with long streams: --tokens 20000 --tokens-per-second 20000
--runs 5. Two figures are given. cpu_us_per_streamed_token is all of chimera's CPU time
(utime + stime) over the runs divided by the tokens streamed: it includes what a run costs
besides streaming (ingesting 101 files, the HTTP requests, rendering the report) and is an
upper bound. cpu_us_per_streamed_token_marginal removes that: the same number of runs is
repeated with one token per call (options.num_predict = 1), and the difference in CPU
time is divided by the difference in tokens. What scales with the length of a stream
stays in it (the longer prompt and report), except this script's status polls: a run is first
polled when its streams should have ended, so a long run is polled about as often as a short one.
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import ROOT, call, cpu_seconds, start, status_kb  # noqa: E402


# Each status poll costs chimera ~80 µs of CPU (a new connection, the run document): at
# 50 polls/s that was 0.2 µs per token at 20,000 tok/s, measurement overhead rather than
# streaming. At 10 polls/s it was still 0.04 µs (a fifth of the 1 µs floor), so a run is first polled
# when its streams should have ended; no figure here depends on noticing the end sooner.
POLL_SECONDS = 0.1


def execute_run(port, body, expected_seconds=0.0):
    """Submits a run and polls it until it ends, from when its streams should have ended; returns its
    document."""
    run_id = json.loads(call(port, "POST", "/runs", body))["id"]
    time.sleep(expected_seconds)
    while True:
        doc = json.loads(call(port, "GET", f"/runs/{run_id}"))
        if doc["status"] in ("succeeded", "failed", "cancelled"):
            break
        time.sleep(POLL_SECONDS)
    if doc["status"] != "succeeded":
        raise SystemExit(f"run failed: {doc['error']}")
    return doc


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--tokens", type=int, default=100, help="tokens per call")
    parser.add_argument("--tokens-per-second", type=int, default=200, help="simulated decode rate")
    parser.add_argument("--json")
    args = parser.parse_args()
    bin_dir = os.path.join(args.build, "bin")
    sim, sim_port = start([os.path.join(bin_dir, "ollama-sim"), "--listen", "127.0.0.1:0",
                          "--tokens-per-second", str(args.tokens_per_second), "--tokens", str(args.tokens),
                          "--load-ms", "300"])
    state = tempfile.mkdtemp(prefix="chimera-bench-")
    started = time.perf_counter()
    chimera, port = start([os.path.join(bin_dir, "chimera"), "serve", "--listen", "127.0.0.1:0",
                           "--ollama-url", f"http://127.0.0.1:{sim_port}",
                           "--data-root", os.path.join(ROOT, "tests", "data"), "--state-dir", state])
    try:
        for _ in range(2000):
            try:
                call(port, "GET", "/readyz")
                break
            except Exception:
                time.sleep(0.001)
        start_to_ready_ms = (time.perf_counter() - started) * 1e3
        client = []
        client_rates = []
        tokens = 0
        cpu_before = cpu_seconds(chimera.pid)
        for _ in range(args.runs):
            doc = execute_run(port, {"data_dir": "tr109"}, 2 * args.tokens / args.tokens_per_second)
            client += [c["ttft_ms"] for c in doc["calls"]]
            for c in doc["calls"]:
                tokens += c["tokens_generated"]
                # Token i arrives at ttft + i/rate: the client-side rate over the stream after the first token.
                client_rates.append((c["tokens_generated"] - 1) / ((c["stream_ms"] - c["ttft_ms"]) / 1e3))
        cpu_used = cpu_seconds(chimera.pid) - cpu_before
        sim_requests = [r for r in json.loads(call(sim_port, "GET", "/sim/stats"))["requests"]
                        if r["path"] == "/api/generate"]
        cpu_before = cpu_seconds(chimera.pid)
        short_tokens = sum(c["tokens_generated"]
                           for _ in range(args.runs)
                           for c in execute_run(port, {"data_dir": "tr109", "options": {"num_predict": 1}})["calls"])
        cpu_short = cpu_seconds(chimera.pid) - cpu_before
        overhead = [c - s["ttft_ms"] for c, s in zip(client, sim_requests)]
        result = {
            "runs": args.runs,
            "start_to_ready_ms": start_to_ready_ms,
            "calls": len(overhead),
            "ttft_overhead_ms_median": statistics.median(overhead),
            "ttft_overhead_ms_p99": sorted(overhead)[max(0, int(len(overhead) * 0.99) - 1)],
            "ttft_overhead_ms_max": max(overhead),
            "ttft_overhead_ms_min": min(overhead),
            "chimera_peak_rss_mb": status_kb(chimera.pid, "VmHWM") / 1024,
            "tokens_streamed": tokens,
            "cpu_us_per_streamed_token": cpu_used * 1e6 / tokens,
            "cpu_us_per_streamed_token_marginal": (cpu_used - cpu_short) * 1e6 / (tokens - short_tokens),
            "cpu_ms_per_one_token_run": cpu_short * 1e3 / args.runs,
            "client_decode_rate_vs_sim_pct_median": statistics.median(
                [100 * (c / (s["eval_count"] / (s["eval_duration_ns"] / 1e9)) - 1)
                 for c, s in zip(client_rates, sim_requests)]),
            "sim_connections_accepted": json.loads(call(sim_port, "GET", "/sim/stats"))["connections_accepted"],
        }
    finally:
        chimera.terminate()
        sim.terminate()
        chimera.wait()
        sim.wait()
    print(json.dumps(result, indent=2))
    if args.json:
        with open(args.json, "w") as out:
            json.dump(result, out, indent=2)


if __name__ == "__main__":
    sys.exit(main())
