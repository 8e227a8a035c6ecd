#!/usr/bin/env python3
"""The TTFT overhead of `chimera run`'s first call against its later calls, for one or more builds.

client_overhead.py gives the first call's figure as the median of a few processes, which on a busy
machine tells builds apart poorly; this runs many short processes, builds interleaved, and nothing
else. Each process is `chimera run --runs 2` (4 calls, one connection) against one `ollama-sim` at
200 tok/s, 100 tokens per call, as client_overhead.py's short streams; a call's overhead is its TTFT
minus the simulator's, as there.

--pin SIM_CPU,CLIENT_CPU runs the simulator and chimera on CPUs of their own (taskset). Unpinned,
on a machine of few CPUs, the scheduler moves chimera onto the simulator's CPU while tokens stream,
so the later calls' wake-ups are local and the first call's (after the ingest threads ran) is often
remote: the calls differ by where they ran, not only by what chimera did. A real backend runs on
another host or on cores of its own, which pinning stands in for.

--reference also runs, each round, first_call_reference (first_call_reference.cpp): a blocking client
with nothing of Chimera in it that checks the simulator, reads and parses the same files on two
threads, then makes four calls over its one connection, timed as chimera times them. Its first call
shows what the ingest leaves any client to pay.

usage: tests/bench/first_call.py [--processes 12] [--pin 0,1] [--reference] BUILD [BUILD ...]
Each BUILD is a build directory holding bin/chimera; the simulator (and the reference) is the first one's.
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile

import benchlib

CORPUS = os.path.join(benchlib.DATA_ROOT, "tr109")


def overheads(binary, sim_port, scratch, cpu=None):
    """One process's calls, in order: client TTFT minus the simulator's, in ms."""
    benchlib.call(sim_port, "POST", "/sim/reset")
    out_dir = tempfile.mkdtemp(dir=scratch)
    subprocess.run(benchlib.on_cpu(cpu) + [binary, "run", "--data-dir", CORPUS,
                                           "--ollama-url", f"http://127.0.0.1:{sim_port}", "--runs", "2",
                                           "--model", "gemma3:latest", "--output-dir", out_dir, "--log-level", "warn"],
                   check=True, stdout=subprocess.DEVNULL)
    calls = []
    for index in (1, 2):
        with open(os.path.join(out_dir, f"run_{index}", "run.json")) as f:
            calls += json.load(f)["calls"]
    return minus_simulator([c["ttft_ms"] for c in calls], sim_port)


def reference_overheads(build, sim_port, cpu=None):
    """The same for one process of first_call_reference."""
    benchlib.call(sim_port, "POST", "/sim/reset")
    done = subprocess.run(benchlib.on_cpu(cpu) + [os.path.join(build, "bin", "first_call_reference"), str(sim_port),
                                                  "gemma3:latest", "--ingest", CORPUS],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"first_call_reference failed: {done.stderr.strip()}")
    return minus_simulator([float(line) for line in done.stdout.split()], sim_port)


def minus_simulator(client_ttfts, sim_port):
    """Each call's TTFT minus the simulator's for it, in ms, in order."""
    served = [r for r in json.loads(benchlib.call(sim_port, "GET", "/sim/stats"))["requests"]
              if r["path"] == "/api/generate"]
    return [client - s["ttft_ms"] for client, s in zip(client_ttfts, served, strict=True)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=12, help="processes per build")
    parser.add_argument("--pin", metavar="SIM_CPU,CLIENT_CPU", help="run the simulator and chimera on these CPUs")
    parser.add_argument("--reference", action="store_true", help="run first_call_reference beside each build")
    parser.add_argument("builds", nargs="+")
    args = parser.parse_args()
    sim_cpu, client_cpu = map(int, args.pin.split(",")) if args.pin else (None, None)
    clients = args.builds + (["reference"] if args.reference else [])
    figures = {client: {"first": [], "second": [], "warm": [], "excess": []} for client in clients}
    scratch = tempfile.mkdtemp(prefix="chimera-first-call-")
    sim, sim_port = benchlib.start_sim(args.builds[0], "--tokens-per-second", 200, "--tokens", 100, cpu=sim_cpu)
    try:
        for i in range(args.processes):
            for client in clients if i % 2 == 0 else clients[::-1]:
                if client == "reference":
                    calls = reference_overheads(args.builds[0], sim_port, client_cpu)
                else:
                    calls = overheads(os.path.join(client, "bin", "chimera"), sim_port, scratch, client_cpu)
                figures[client]["first"].append(calls[0])
                figures[client]["second"].append(calls[1])
                figures[client]["warm"] += calls[1:]
                figures[client]["excess"].append(calls[0] - statistics.median(calls[1:]))
    finally:
        benchlib.stop(sim)
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    for client, f in figures.items():
        excess = statistics.quantiles(f["excess"], n=4) if len(f["excess"]) > 1 else f["excess"]
        print(json.dumps({"build": client, "processes": args.processes, "pin": args.pin,
                          "first_call_ms_median": statistics.median(f["first"]),
                          "first_call_ms_range": [min(f["first"]), max(f["first"])],
                          "second_call_ms_median": statistics.median(f["second"]),
                          "warm_calls_ms_p50": statistics.median(f["warm"]),
                          # Per process: the first call's overhead minus the median of its three others.
                          "first_over_warm_ms_quartiles": [round(q, 4) for q in excess],
                          "load_average": load}))


if __name__ == "__main__":
    main()
