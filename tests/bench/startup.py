#!/usr/bin/env python3
"""Start-up of chimera beside the machine's floor, a bare exec of a static hello-world
(tests/bench/static_hello.cpp), timed the same way in the same run:

- static_hello_ms_median: spawn -> exit of static_hello (no loader, no work: what any program pays).
- help_ms_median: spawn -> exit of `chimera --help`.
- start_to_ready_new_ms_median: spawn -> first 200 from GET /readyz with a new state directory.
- start_to_ready_existing_ms_median: the same with a state directory holding EXISTING_RUNS finished
  runs (their rows written straight into runs.db after a first start created it).
- each over static_hello: the guarded figures (ratios, so a slower machine does not fail them).

/readyz says whether this replica can serve the API; it does not wait for the backend, so the
backend given is the simulator only so that nothing logs a refused connection.

usage: tests/bench/startup.py [--build DIR] [--chimera PATH] [--quick] [--out FILE.json]
--chimera measures another binary (the image's static one: deploy/build-static.sh) with the
simulator and static_hello of --build.
"""
import argparse
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import tempfile
import time

import benchlib

EXISTING_RUNS = 10_000


def spawn_ms(argv):
    started = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
    return (time.perf_counter() - started) * 1e3


def readyz_status(port):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        return s.recv(64).split(b" ", 2)[1]


def start_to_ready_ms(chimera, sim_port, state_dir):
    """Spawn -> "listening on" on stdout -> GET /readyz until 200 (polled every 0.5 ms)."""
    started = time.perf_counter()
    proc, port = benchlib.start([chimera, "serve", "--listen", "127.0.0.1:0", "--ollama-url",
                                 f"http://127.0.0.1:{sim_port}", "--state-dir", state_dir, "--log-level", "error"])
    try:
        while readyz_status(port) != b"200":
            time.sleep(0.0005)
        return (time.perf_counter() - started) * 1e3
    finally:
        benchlib.stop(proc)


def fill_with_finished_runs(chimera, sim_port, state_dir):
    """A state directory whose runs.db holds EXISTING_RUNS finished runs of realistic size."""
    start_to_ready_ms(chimera, sim_port, state_dir)  # chimera creates runs.db, of its own schema
    document = json.dumps({"status": "succeeded", "calls": [{"ttft_ms": 123.4, "tokens": 512}] * 8,
                           "summary": "x" * 1000})
    report = "# report\n" + "line of the model's report\n" * 120
    now_ms = int(time.time() * 1e3)
    with sqlite3.connect(os.path.join(state_dir, "runs.db")) as db:
        db.executemany("INSERT INTO runs (id, state, attempt, model, request, created_ms, finished_ms, document, "
                       "report, agent_report) VALUES (?, 'succeeded', 1, 'gemma3:latest', '{}', ?, ?, ?, ?, ?)",
                       ((f"run-{i:05d}", now_ms - i, now_ms - i + 500, document, report, report)
                        for i in range(EXISTING_RUNS)))
    with sqlite3.connect(os.path.join(state_dir, "runs.db")) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def median_ms(measure, count):
    return statistics.median(measure() for _ in range(count))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(benchlib.ROOT, "build"))
    parser.add_argument("--chimera", help="default: BUILD/bin/chimera")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--out")
    args = parser.parse_args()
    chimera = args.chimera or os.path.join(args.build, "bin", "chimera")
    hello = os.path.join(args.build, "bin", "static_hello")
    execs, starts = (20, 10) if args.quick else (100, 30)
    sim, sim_port = benchlib.start_sim(args.build)
    work = tempfile.mkdtemp(prefix="chimera-startup-")
    try:
        hello_ms = median_ms(lambda: spawn_ms([hello]), execs)
        help_ms = median_ms(lambda: spawn_ms([chimera, "--help"]), execs)
        counter = iter(range(starts))
        new_ms = median_ms(lambda: start_to_ready_ms(chimera, sim_port, os.path.join(work, f"new-{next(counter)}")),
                           starts)
        existing = os.path.join(work, "existing")
        fill_with_finished_runs(chimera, sim_port, existing)
        existing_ms = median_ms(lambda: start_to_ready_ms(chimera, sim_port, existing), starts)
    finally:
        benchlib.stop(sim)
        shutil.rmtree(work, ignore_errors=True)
    results = [
        benchlib.result("static_hello_ms_median", "bare exec of a static hello-world, median", round(hello_ms, 2),
                        "ms", note=f"{execs} execs"),
        benchlib.result("help_ms_median", "`chimera --help`, median", round(help_ms, 2), "ms", floor={"max": 3}),
        benchlib.result("start_to_ready_new_ms_median", "start to /readyz 200, new state dir, median",
                        round(new_ms, 2), "ms", floor={"max": 10}, note=f"{starts} starts"),
        benchlib.result("start_to_ready_existing_ms_median",
                        f"start to /readyz 200, {EXISTING_RUNS:,} finished runs, median", round(existing_ms, 2), "ms",
                        floor={"max": 10}, note=f"{starts} starts"),
        benchlib.result("help_over_static_hello", "`chimera --help` / static hello", round(help_ms / hello_ms, 2),
                        "ratio", better="lower"),
        benchlib.result("start_new_over_static_hello", "start to /readyz (new state dir) / static hello",
                        round(new_ms / hello_ms, 2), "ratio", better="lower"),
        benchlib.result("start_existing_over_static_hello",
                        f"start to /readyz ({EXISTING_RUNS:,} runs) / static hello", round(existing_ms / hello_ms, 2),
                        "ratio", better="lower"),
    ]
    benchlib.write(args.out, "startup", "tests/bench/startup.py", results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
