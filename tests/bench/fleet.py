#!/usr/bin/env python3
"""A fleet of backends (issue 18): 1,000 runs streaming at once over 8 simulators.

Eight ollama-sim processes (4 as Ollama, 2 as llama.cpp, 2 as vLLM, the last four named
kind=openai), each with max-streams 125, behind one `chimera serve --workers 1000
--queue-capacity 1000` that names each with --backend. After one short warm-up run,
1,000 runs routed by model are POSTed on the tr109 corpus (SUBMITTERS threads); each
simulator is slow enough (SIM_RATE tokens/s, SIM_TOKENS tokens a call) that the runs overlap.
While they stream, the simulators' /sim/stats say how many generations each serves at once;
when all ended, /proc says chimera's peak RSS (VmHWM).

Reported: chimera's RSS when ready with the fleet, its peak RSS with the 1,000 runs, the peak of
streams the 8 simulators served at once (summed over their simultaneous samples) and the
highest one simulator's count reached against its max-streams, the spread (fewest calls on a
backend / most), failed runs, and the batch's wall time.

usage: tests/bench/fleet.py [--build DIR] [--quick] [--out FILE.json]
--quick: 400 runs, 50 max-streams each. Exits 1 when a run failed or a submission was refused.
"""
import argparse
import concurrent.futures
import json
import os
import re
import resource
import sys
import tempfile
import time

import benchlib

ENGINES = ["ollama"] * 4 + ["llamacpp"] * 2 + ["vllm"] * 2
SIM_RATE = 20  # tokens/s of each simulated stream
SIM_TOKENS = 100  # a call lasts 5 s: starting every run of the batch takes less
SUBMITTERS = 8


def raise_open_file_limit():
    """Children inherit it: 1,000 runs hold 1,000 backend connections in chimera and the sims."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def start_fleet(build, max_streams, runs):
    sims = []
    flags = []
    for i, engine in enumerate(ENGINES):
        sim, port = benchlib.start_sim(build, "--engine", engine, "--models", "m1", "--tokens", SIM_TOKENS,
                                       "--tokens-per-second", SIM_RATE)
        sims.append((sim, port))
        kind = ",kind=openai" if engine != "ollama" else ""
        flags += ["--backend", f"b{i}=http://127.0.0.1:{port}{kind},max-streams={max_streams}"]
    state = tempfile.mkdtemp(prefix="chimera-fleet-")
    chimera, port = benchlib.start([os.path.join(build, "bin", "chimera"), "serve", "--listen", "127.0.0.1:0",
                                    "--data-root", benchlib.DATA_ROOT, "--state-dir", state, "--log-level", "warn",
                                    "--workers", str(runs), "--queue-capacity", str(runs),
                                    "--backend-pool-size", str(max_streams), *flags])
    return sims, chimera, port


def wait_fleet_up(port, backends, deadline_s=20):
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        try:
            fleet = json.loads(benchlib.call(port, "GET", "/readyz"))["backend"]["backends"]
            if len(fleet) == backends and all(b["up"] and b["models"] for b in fleet):
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit("the fleet never came up")


def run_to_end(port, body):
    run_id = json.loads(benchlib.call(port, "POST", "/runs", body))["id"]
    while True:
        run = json.loads(benchlib.call(port, "GET", f"/runs/{run_id}"))
        if run["status"] not in ("queued", "running"):
            return run
        time.sleep(0.05)


def submit(port, n):
    """POSTs n runs from SUBMITTERS threads; returns the ids and how many were refused."""
    def post(_):
        try:
            return json.loads(benchlib.call(port, "POST", "/runs", {"data_dir": "tr109", "model": "m1"}))["id"]
        except OSError:
            return None
    with concurrent.futures.ThreadPoolExecutor(SUBMITTERS) as pool:
        ids = list(pool.map(post, range(n)))
    return [i for i in ids if i], sum(1 for i in ids if not i)


def metric(exposition, name):
    """Sum of the samples of `name` over its label sets."""
    return sum(float(value) for value in re.findall(rf"^{name}(?:\{{[^}}]*\}})? (\S+)$", exposition, re.M))


def sim_in_flight(sims):
    return [json.loads(benchlib.call(port, "GET", "/sim/stats"))["generations_in_flight"] for _, port in sims]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(benchlib.ROOT, "build"))
    parser.add_argument("--quick", action="store_true", help="400 runs")
    parser.add_argument("--out")
    args = parser.parse_args()
    raise_open_file_limit()
    runs, max_streams = (400, 50) if args.quick else (1000, 125)
    sims, chimera, port = start_fleet(args.build, max_streams, runs)
    try:
        wait_fleet_up(port, len(ENGINES))
        warm = run_to_end(port, {"data_dir": "tr109", "model": "m1", "options": {"num_predict": 1}})
        if warm["status"] != "succeeded":
            raise SystemExit(f"the warm-up run failed: {warm}")
        time.sleep(1)  # what the warm-up allocated transiently is returned by now
        ready_kb = benchlib.status_kb(chimera.pid, "VmRSS")
        started = time.perf_counter()
        ids, refused = submit(port, runs)
        peak_total = 0
        while True:
            peak_total = max(peak_total, sum(sim_in_flight(sims)))
            exposition = benchlib.call(port, "GET", "/metrics")
            if metric(exposition, "chimera_runs_total") >= len(ids) + 1:  # and the warm-up run
                break
            time.sleep(0.2)
        wall_s = time.perf_counter() - started
        hwm_kb = benchlib.status_kb(chimera.pid, "VmHWM")
        peak_stats = [json.loads(benchlib.call(p, "GET", "/sim/stats"))["peak_generations_in_flight"] for _, p in sims]
        finished = [json.loads(benchlib.call(port, "GET", f"/runs/{run_id}")) for run_id in ids]
    finally:
        benchlib.stop(chimera, *(sim for sim, _ in sims))
    failed = refused + sum(1 for run in finished if run["status"] != "succeeded")
    calls = {}
    for run in finished:
        for call in run["calls"]:
            calls[call["backend"]] = calls.get(call["backend"], 0) + 1
    spread = min(calls.get(f"b{i}", 0) for i in range(len(ENGINES))) / max(calls.values())
    streams = f"{runs:,} runs over 8 backends"
    results = [
        benchlib.result("fleet_rss_ready_mb", "RSS of chimera ready with 8 backends (after a warm-up run)",
                        round(ready_kb / 1024, 1), "MB"),
        benchlib.result(f"fleet_runs_{runs}_peak_rss_mb", f"peak RSS (VmHWM) of chimera, {streams}",
                        round(hwm_kb / 1024, 1), "MB", better="lower",
                        note=f"{(hwm_kb - ready_kb) / max(peak_total, 1):.1f} kB more per stream at the peak"),
        benchlib.result(f"fleet_runs_{runs}_peak_streams", "peak of streams the 8 simulators served at once",
                        peak_total, "count", floor={"min": int(0.9 * runs)},
                        note=f"most on one simulator: {max(peak_stats)} (max-streams {max_streams})"),
        benchlib.result(f"fleet_runs_{runs}_over_max_streams", "streams one simulator served beyond max-streams",
                        max(0, max(peak_stats) - max_streams), "count", better="lower", floor={"max": 0}),
        benchlib.result(f"fleet_runs_{runs}_spread", "fewest calls on a backend / most", round(spread, 2), "ratio",
                        note=", ".join(f"{name} {count}" for name, count in sorted(calls.items()))),
        benchlib.result(f"fleet_runs_{runs}_failed", "runs failed or refused", failed, "count", better="lower"),
        benchlib.result(f"fleet_runs_{runs}_wall_s", "the batch's wall time", round(wall_s, 1), "s",
                        note=f"{SIM_TOKENS} tokens a call at {SIM_RATE} tokens/s"),
    ]
    benchlib.write(args.out, "fleet", "tests/bench/fleet.py" + (" --quick" if args.quick else ""), results)
    if failed:
        print(f"fleet: {failed} runs failed or were refused", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
