#!/usr/bin/env python3
"""Start-up, memory and the cost of concurrency of `chimera serve` against ollama-sim.

- start-up: process spawn -> first 200 from GET /readyz (which needs the backend's
  /api/version answered), over fresh state directories; and `chimera run --help`.
- RSS idle: VmRSS of a ready `chimera serve` with the default flags.
- N runs streaming at once, N = 1, 10, 100, 1,000 (--quick: 1, 10, 100): a fresh chimera with
  --workers N --queue-capacity N --backend-pool-size N against a simulator slow enough
  (SIM_RATE tokens/s, SIM_TOKENS tokens a call) that every run overlaps every other. N runs
  are POSTed on the tr109 corpus (after one short warm-up run) and waited for. Reported per N: the peak of runs running at
  once (chimera's gauge), the peak of streams the simulator was sending at once, VmHWM (peak
  RSS) of chimera, failed runs, chimera's CPU time per run and the batch's wall time.
- scaling: CPU per run at the largest N over CPU per run at N = 10; near 1 means the cost per
  run is flat, i.e. total cost linear in N.

CPU time is the sum over chimera's threads of /proc/<pid>/task/*/schedstat (nanoseconds),
not /proc/<pid>/stat's 10 ms ticks: one run costs about that much. Polling while runs stream
is against the simulator's /sim/stats (not chimera's CPU) and /proc; chimera is asked for
/metrics every SCRAPE_SECONDS.

usage: tests/bench/load.py [--build DIR] [--quick] [--out FILE.json]
Exits 1 when a run failed or a submission was refused. Fewer than N runs at once (a machine
too busy to start them all within one call) shows in runs_N_peak_running and its floor.
"""
import argparse
import concurrent.futures
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import benchlib

SIM_RATE = 20  # tokens/s of each simulated stream
# Tokens a call: a call lasts SIM_TOKENS / SIM_RATE seconds, which must outlast starting
# every run of the batch (1,000 runs: about 5 s on a quiet machine, 20 s on a busy one).
SIM_TOKENS = 200
SIM_TOKENS_QUICK = 100
SUBMITTERS = 8  # client threads POSTing the batch
SCRAPE_SECONDS = 2  # chimera's /metrics is read this often: each read costs chimera CPU
STARTS = 10
HELP_RUNS = 20


def raise_open_file_limit():
    """Children inherit it: 1,000 runs hold 1,000 backend connections in chimera and the sim."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def cpu_ns(pid):
    """Nanoseconds on CPU, summed over the process's live threads."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/schedstat") as stat:
            total += int(stat.read().split()[0])
    return total


def metric(exposition, name, label=""):
    """Sum of the samples of `name` whose labels contain `label` (e.g. 'status="failed"')."""
    samples = re.findall(rf"^{name}(\{{[^}}]*\}})? (\S+)$", exposition, re.M)
    return sum(float(value) for labels, value in samples if label in labels)


def startup(build, sim_port):
    """Spawn -> /readyz 200, with a fresh state directory each time; returns the times and
    the idle VmRSS of the last process."""
    times = []
    for _ in range(STARTS):
        state = tempfile.mkdtemp(prefix="chimera-load-")
        started = time.perf_counter()
        chimera, port = benchlib.start_chimera(build, sim_port, state)
        benchlib.wait_ready(port)
        times.append((time.perf_counter() - started) * 1e3)
        if len(times) < STARTS:
            benchlib.stop(chimera)
    time.sleep(1)  # whatever start-up allocated transiently is returned by now
    idle_kb = benchlib.status_kb(chimera.pid, "VmRSS")
    benchlib.stop(chimera)
    return times, idle_kb


def run_help_ms(build):
    times = []
    for _ in range(HELP_RUNS):
        started = time.perf_counter()
        subprocess.run([os.path.join(build, "bin", "chimera"), "run", "--help"],
                       stdout=subprocess.DEVNULL, check=True)
        times.append((time.perf_counter() - started) * 1e3)
    return times


def sim_streams(sim_port):
    """Streams the simulator is sending now (first token sent, not completed), and those it completed."""
    requests = json.loads(benchlib.call(sim_port, "GET", "/sim/stats"))["requests"]
    completed = sum(1 for r in requests if r["completed"])
    return sum(1 for r in requests if r["ttft_ms"] is not None and not r["completed"]), completed


def warm_up(port):
    """One short run first: what only the first run of a process pays (the store's and the
    corpus's first reads, the backend connection) is not a cost per run."""
    run_id = json.loads(benchlib.call(port, "POST", "/runs", {"data_dir": "tr109", "options": {"num_predict": 1}}))["id"]
    while json.loads(benchlib.call(port, "GET", f"/runs/{run_id}"))["status"] in ("queued", "running"):
        time.sleep(0.05)


def submit(port, n):
    """POSTs n runs from SUBMITTERS threads; returns how many were refused."""
    def post(_):
        try:
            benchlib.call(port, "POST", "/runs", {"data_dir": "tr109"})
            return 0
        except OSError:
            return 1
    with concurrent.futures.ThreadPoolExecutor(SUBMITTERS) as pool:
        return sum(pool.map(post, range(n)))


def batch(build, n, tokens):
    """N runs at once on a fresh chimera and simulator; returns the figures of the batch."""
    sim, sim_port = benchlib.start_sim(build, "--tokens-per-second", SIM_RATE, "--tokens", tokens)
    state = tempfile.mkdtemp(prefix="chimera-load-")
    chimera, port = benchlib.start_chimera(build, sim_port, state, "--workers", n, "--queue-capacity", n,
                                           "--backend-pool-size", n)
    try:
        benchlib.wait_ready(port)
        warm_up(port)
        cpu_before, started = cpu_ns(chimera.pid), time.perf_counter()
        refused = submit(port, n)
        submitted_s = time.perf_counter() - started
        peak_running = peak_streams = 0
        last_scrape = 0
        while True:
            streaming, completed = sim_streams(sim_port)
            peak_streams = max(peak_streams, streaming)
            # Two calls a run: once the simulator completed them all, the runs are about to end.
            if completed >= 2 * (n + 1) or time.perf_counter() - last_scrape >= SCRAPE_SECONDS:
                last_scrape = time.perf_counter()
                exposition = benchlib.call(port, "GET", "/metrics")
                peak_running = max(peak_running, metric(exposition, "chimera_runs_running"))
                if metric(exposition, "chimera_runs_total") >= n + 1 - refused:
                    break
            time.sleep(0.1)
        wall_s = time.perf_counter() - started
        cpu_ms = (cpu_ns(chimera.pid) - cpu_before) / 1e6
        failed = refused + n + 1 - metric(exposition, "chimera_runs_total", 'status="succeeded"')
        return {"n": n, "tokens": tokens, "submit_s": submitted_s, "wall_s": wall_s, "cpu_ms_per_run": cpu_ms / n,
                "peak_running": int(peak_running), "peak_streams": peak_streams,
                "hwm_mb": benchlib.status_kb(chimera.pid, "VmHWM") / 1024, "failed": int(failed)}
    finally:
        benchlib.stop(chimera, sim)


def concurrency_results(batch):
    n = batch["n"]
    floor_64 = {"max": 64} if n == 1000 else None
    return [
        benchlib.result(f"runs_{n}_peak_running", f"{n} runs: most running at once (chimera)",
                        batch["peak_running"], "runs", floor={"min": n}, better="higher"),
        benchlib.result(f"runs_{n}_sim_peak_streams", f"{n} runs: most streams the simulator sent at once",
                        batch["peak_streams"], "streams", better="higher"),
        benchlib.result(f"runs_{n}_failed", f"{n} runs: failed or refused", batch["failed"], "runs",
                        floor={"max": 0}, better="lower"),
        benchlib.result(f"runs_{n}_peak_rss_mb", f"{n} runs streaming: peak RSS (VmHWM)",
                        round(batch["hwm_mb"], 1), "MB", floor=floor_64, better="lower"),
        benchlib.result(f"runs_{n}_cpu_ms_per_run", f"{n} runs: chimera CPU per run",
                        round(batch["cpu_ms_per_run"], 2), "ms"),
        benchlib.result(f"runs_{n}_wall_s", f"{n} runs: wall time of the batch",
                        round(batch["wall_s"], 2), "s",
                        note=f"POSTs took {batch['submit_s']:.2f} s; a run streams 2 x {batch['tokens']} "
                             f"tokens at {SIM_RATE} tok/s"),
    ]


def scaling_results(batches):
    base = next(b for b in batches if b["n"] == 10)
    top = batches[-1]
    ratio = top["cpu_ms_per_run"] / base["cpu_ms_per_run"]
    verdict = "does not grow with N: total cost linear" if ratio <= 1.25 else "grows with N: total cost superlinear"
    per_run = (top["hwm_mb"] - batches[0]["hwm_mb"]) * 1024 / (top["n"] - batches[0]["n"])
    return [
        benchlib.result("cpu_per_run_growth", f"CPU per run at {top['n']} runs / at 10 runs", round(ratio, 2),
                        "ratio", better="lower",
                        note=verdict + "; per run: " + ", ".join(
                            f"{b['n']}: {b['cpu_ms_per_run']:.1f} ms" for b in batches)),
        benchlib.result("rss_kb_per_running_run", f"peak RSS added per running run (1 -> {top['n']} runs)",
                        round(per_run), "kB", better="lower"),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(benchlib.ROOT, "build"))
    parser.add_argument("--quick", action="store_true", help="concurrency 1, 10, 100 only")
    parser.add_argument("--out")
    args = parser.parse_args()
    raise_open_file_limit()
    sim, sim_port = benchlib.start_sim(args.build)
    try:
        start_times, idle_kb = startup(args.build, sim_port)
    finally:
        benchlib.stop(sim)
    help_times = run_help_ms(args.build)
    results = [
        benchlib.result("start_to_ready_ms_median", "start to /readyz 200, median",
                        round(statistics.median(start_times), 1), "ms", note=f"{STARTS} starts"),
        benchlib.result("start_to_ready_ms_max", "start to /readyz 200, max", round(max(start_times), 1), "ms",
                        floor={"max": 20}),
        benchlib.result("run_help_ms_median", "`chimera run --help`, median", round(statistics.median(help_times), 1),
                        "ms", note=f"{HELP_RUNS} runs"),
        benchlib.result("rss_idle_mb", "RSS idle (VmRSS after ready)", round(idle_kb / 1024, 1), "MB",
                        floor={"max": 10}, better="lower"),
    ]
    levels, tokens = ([1, 10, 100], SIM_TOKENS_QUICK) if args.quick else ([1, 10, 100, 1000], SIM_TOKENS)
    batches = [batch(args.build, n, tokens) for n in levels]
    for done in batches:
        results += concurrency_results(done)
    results += scaling_results(batches)
    benchlib.write(args.out, "load", "tests/bench/load.py", results)
    apart = [b["n"] for b in batches if b["peak_running"] < b["n"]]
    if apart:
        print(f"load: not all runs overlapped at N = {apart} (machine too busy?)", file=sys.stderr)
    failed = [b["n"] for b in batches if b["failed"]]
    if failed:
        print(f"load: runs failed or were refused at N = {failed}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
