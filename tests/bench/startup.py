#!/usr/bin/env python3
"""Start-up of chimera beside the machine's floor, a bare exec of a static hello-world
(tests/bench/static_hello.cpp), timed the same way in the same run:

- static_hello_ms_median: spawn -> exit of static_hello (no loader, no work: what any program pays).
- help_ms_median: spawn -> exit of `chimera --help`.
- start_to_ready_new_ms_median: spawn -> first 200 from GET /readyz with a new state directory.
- start_to_ready_existing_ms_median: the same with a state directory holding EXISTING_RUNS finished
  runs (their rows written straight into runs.db after a first start created it).
- each over static_hello: ratios, so a slower machine does not fail them. Guarded with a wide
  margin, for gross regressions only (a start that waits on something): load on a shared machine
  moves them by 20-40 % with no change to the code (the existing-runs ratio: 8.1-10.3 idle, 11.3-11.7
  in CI runs, 18 beside two busy loops on the 2 cores; the fastest of N moves as much).
- minor page faults of `chimera --help`, and of chimera serve from spawn to ready: the guard with
  a narrow margin. They count the memory start-up touches, the same on any machine and under any
  load (179 / 321 / 301, within one, in runs idle and beside two busy loops), and on a
  paravirtualised guest, where a fault costs microseconds, they are most of the start-up time.

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


def spawn(argv):
    """Spawn -> exit in ms, and the minor page faults the program took (wait4's rusage)."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = (time.perf_counter() - started) * 1e3
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{argv[0]} exited with {proc.returncode}")
    return elapsed, usage.ru_minflt


def minor_faults(pid):
    """The process's minor page faults so far, all its threads (/proc/PID/stat, field 10)."""
    with open(f"/proc/{pid}/stat") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[7])


def readyz_status(port):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        return s.recv(64).split(b" ", 2)[1]


def start_to_ready(chimera, sim_port, state_dir):
    """Spawn -> "listening on" on stdout -> GET /readyz until 200 (polled every 0.5 ms), in ms,
    and the minor page faults chimera had taken by then."""
    started = time.perf_counter()
    proc, port = benchlib.start([chimera, "serve", "--listen", "127.0.0.1:0", "--ollama-url",
                                 f"http://127.0.0.1:{sim_port}", "--state-dir", state_dir, "--log-level", "error"])
    try:
        while readyz_status(port) != b"200":
            time.sleep(0.0005)
        elapsed = (time.perf_counter() - started) * 1e3
        return elapsed, minor_faults(proc.pid)
    finally:
        benchlib.stop(proc)


def fill_with_finished_runs(chimera, sim_port, state_dir):
    """A state directory whose runs.db holds EXISTING_RUNS finished runs of realistic size."""
    start_to_ready(chimera, sim_port, state_dir)  # chimera creates runs.db, of its own schema
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


class samples:
    """`count` measurements of (ms, minor faults): the median of each."""

    def __init__(self, measure, count):
        taken = [measure() for _ in range(count)]
        self.median_ms = statistics.median(ms for ms, _ in taken)
        self.faults = statistics.median(faults for _, faults in taken)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(benchlib.ROOT, "build"))
    parser.add_argument("--chimera", help="default: BUILD/bin/chimera")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--out")
    args = parser.parse_args()
    chimera = args.chimera or os.path.join(args.build, "bin", "chimera")
    hello_path = os.path.join(args.build, "bin", "static_hello")
    execs, starts = (20, 10) if args.quick else (100, 30)
    sim, sim_port = benchlib.start_sim(args.build)
    work = tempfile.mkdtemp(prefix="chimera-startup-")
    try:
        hello = samples(lambda: spawn([hello_path]), execs)
        help_ = samples(lambda: spawn([chimera, "--help"]), execs)
        counter = iter(range(starts))
        new = samples(lambda: start_to_ready(chimera, sim_port, os.path.join(work, f"new-{next(counter)}")), starts)
        existing_dir = os.path.join(work, "existing")
        fill_with_finished_runs(chimera, sim_port, existing_dir)
        existing = samples(lambda: start_to_ready(chimera, sim_port, existing_dir), starts)
    finally:
        benchlib.stop(sim)
        shutil.rmtree(work, ignore_errors=True)
    runs = f"{EXISTING_RUNS:,} finished runs"
    results = [
        benchlib.result("static_hello_ms_median", "bare exec of a static hello-world, median", round(hello.median_ms, 2),
                        "ms", note=f"{execs} execs"),
        benchlib.result("help_ms_median", "`chimera --help`, median", round(help_.median_ms, 2), "ms", floor={"max": 3}),
        benchlib.result("start_to_ready_new_ms_median", "start to /readyz 200, new state dir, median",
                        round(new.median_ms, 2), "ms", floor={"max": 10}, note=f"{starts} starts"),
        benchlib.result("start_to_ready_existing_ms_median", f"start to /readyz 200, {runs}, median",
                        round(existing.median_ms, 2), "ms", floor={"max": 10}, note=f"{starts} starts"),
        benchlib.result("help_over_static_hello", "`chimera --help` / static hello", round(help_.median_ms / hello.median_ms, 2),
                        "ratio", better="lower"),
        benchlib.result("start_new_over_static_hello", "start to /readyz (new state dir) / static hello",
                        round(new.median_ms / hello.median_ms, 2), "ratio", better="lower"),
        benchlib.result("start_existing_over_static_hello", f"start to /readyz ({runs}) / static hello",
                        round(existing.median_ms / hello.median_ms, 2), "ratio", better="lower"),
        benchlib.result("help_minor_faults", "`chimera --help`: minor page faults, median", help_.faults, "faults",
                        better="lower", note=f"static hello: {hello.faults:g}"),
        benchlib.result("start_new_minor_faults", "start to /readyz (new state dir): chimera's minor page faults, median",
                        new.faults, "faults", better="lower"),
        benchlib.result("start_existing_minor_faults",
                        f"start to /readyz ({runs}): chimera's minor page faults, median", existing.faults, "faults",
                        better="lower"),
    ]
    benchlib.write(args.out, "startup", "tests/bench/startup.py", results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
