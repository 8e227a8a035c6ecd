#!/usr/bin/env python3
"""What the client adds on top of the backend, Chimera side by side with the seed's Python
reference agent (our re-implementation: python_reference_agent.py, httpx + asyncio), both
against the same ollama-sim, on the same corpus (tests/data/tr109), in one run.

Chimera runs as `chimera run --runs N`, the same shape as the reference agent: one process
doing N runs one after another (ingest, streamed analysis call, streamed report call), so the
process's own CPU time and peak memory compare like for like; `chimera serve` would add a
status poll per run to the figures. The two clients take turns, in alternating order.

- TTFT overhead: per call, the client's TTFT (request start -> first non-empty token) minus
  the simulator's (request read -> first token written, GET /sim/stats); p50 and p99 of the
  calls on a warm client (a process's calls after its first, as a service's would be), and
  apart, the median of the processes' first calls (they connect, and run code for the first
  time). The simulator decodes at 200 tok/s, 100 tokens per call.
- Tokens/s as the seed's agents report it (eval_count / eval_duration of the final chunk): the
  backend's figure, the same for any client.
- Decode rate vs the simulator's: the client's (tokens - 1) / (end of stream - first token)
  against eval_count / eval_duration, median over calls, in %; at 200 tok/s and on the long
  streams below.
- CPU per streamed token: utime + stime of the client process (wait4), marginal: a run with
  long streams (20,000 tokens per call at 20,000 tok/s) and one with num_predict 1; the
  difference in CPU time over the difference in tokens. What does not grow with a stream
  (start-up, imports, ingest) cancels out. The median over rounds: on a shared 2-vCPU machine
  a round now and then costs half as much again (a neighbour, a page-fault storm), and a
  pooled figure would carry that into the result.
- The machine's floor under the TTFT overhead: loopback_wake_probe, two bare processes doing
  the same exchange (a request, a reply held for the simulator's median first-token delay),
  timed in user space on both sides. Chimera times the first token by the kernel's receive
  stamp, so its own wake-up is not in its figure; the probe's client's is.
- Peak RSS: the client process's VmHWM, the highest over all its invocations.
- Start-up: chimera serve, spawn -> first 200 from /readyz (a backend probe included); the
  Python agent, spawn -> "ready" on its stdout (interpreter, imports, httpx client); median.

usage: tests/bench/client_overhead.py [--build DIR] [--quick] [--out FILE.json]
Full: 20 runs per client, 5 rounds of 20,000-token streams, 10 starts each (about 2 min 30 s).
--quick (CI): 6 runs per client, 3 rounds of 10,000-token streams, 3 starts each (about 50 s).
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time

import benchlib

AGENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "python_reference_agent.py")
PYTHON = "/usr/bin/python3"  # Debian's: python3-httpx is installed for it
CORPUS = os.path.join(benchlib.DATA_ROOT, "tr109")
MODEL = "gemma3:latest"
SLOW_RATE, SLOW_TOKENS = 200, 100
FAST_RATE = 20000
# A model named fault/<items> makes the simulator apply them: the long streams' decode rate.
FAST_MODEL = f"fault/tokens-per-second={FAST_RATE}"

FULL = {"rounds": 4, "runs": 5, "cpu_rounds": 5, "cpu_tokens": 20000, "starts": 10, "probes": 60}
QUICK = {"rounds": 2, "runs": 3, "cpu_rounds": 3, "cpu_tokens": 10000, "starts": 3, "probes": 20}


class Chimera:
    """`chimera run`; its calls are read from the run documents it leaves, run_<n>/run.json."""
    name = "chimera"

    def __init__(self, build):
        self.binary = os.path.join(build, "bin", "chimera")

    def argv(self, url, runs, model, num_predict, out_dir):
        return [self.binary, "run", "--data-dir", CORPUS, "--ollama-url", url, "--runs", str(runs),
                "--model", model, "--output-dir", out_dir, "--log-level", "warn",
                *(["--num-predict", str(num_predict)] if num_predict else [])]

    @staticmethod
    def calls(stdout, out_dir, runs):
        calls = []
        for index in range(1, runs + 1):
            with open(os.path.join(out_dir, f"run_{index}", "run.json")) as f:
                doc = json.load(f)
            if doc["status"] != "succeeded":
                raise SystemExit(f"chimera run {index} {doc['status']}: {doc['error']}")
            calls += doc["calls"]
        return calls


class PythonAgent:
    """python_reference_agent.py; its calls are the JSON lines it prints after "ready"."""
    name = "python"

    @staticmethod
    def argv(url, runs, model, num_predict, out_dir):
        return [PYTHON, AGENT, "--data-dir", CORPUS, "--ollama-url", url, "--runs", str(runs),
                "--model", model, "--output-dir", out_dir, "--num-predict", str(num_predict)]

    @staticmethod
    def calls(stdout, out_dir, runs):
        return [json.loads(line) for line in stdout.splitlines()[1:]]


def measured(argv):
    """Runs a client to its end: its stdout, CPU seconds (utime + stime) and peak RSS in kB.

    wait4's ru_maxrss would do for the peak but for a flaw: it keeps the high-water mark of the
    memory the child had before exec, which after Python's vfork is this script's (~23 MB).
    VmHWM counts the client's own memory only; it is sampled every 2 ms until the process
    exits, and being a high-water mark, only growth in its last 2 ms is missed.
    """
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    peak_kb = [0]
    watcher = threading.Thread(target=watch_peak_rss, args=(proc.pid, peak_kb))
    watcher.start()
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    watcher.join()
    if proc.returncode != 0:
        raise SystemExit(f"{os.path.basename(argv[0])} {os.path.basename(argv[1])} exited with {proc.returncode}")
    return stdout, usage.ru_utime + usage.ru_stime, peak_kb[0]


def watch_peak_rss(pid, peak_kb):
    """Samples VmHWM until the process is a zombie (no memory left to report) or gone."""
    while True:
        try:
            peak_kb[0] = max(peak_kb[0], benchlib.status_kb(pid, "VmHWM"))
        except (KeyError, OSError):
            return
        time.sleep(0.002)


def invoke(client, sim_port, scratch, runs, model=MODEL, num_predict=0):
    """One client process doing `runs` runs; each call paired with the simulator's record of it."""
    benchlib.call(sim_port, "POST", "/sim/reset")
    out_dir = tempfile.mkdtemp(dir=scratch)
    stdout, cpu, rss_kb = measured(client.argv(f"http://127.0.0.1:{sim_port}", runs, model, num_predict, out_dir))
    calls = client.calls(stdout, out_dir, runs)
    served = [r for r in json.loads(benchlib.call(sim_port, "GET", "/sim/stats"))["requests"]
              if r["path"] == "/api/generate"]
    if len(calls) != 2 * runs or len(served) != len(calls) or not all(r["completed"] for r in served):
        raise SystemExit(f"{client.name}: {len(calls)} calls, the simulator served {len(served)}")
    return {"pairs": list(zip(calls, served)), "cpu": cpu, "rss_kb": rss_kb,
            "tokens": sum(c["tokens_generated"] for c in calls)}


def rate_vs_sim_pct(call, served):
    """The client's decode rate over the stream after the first token, against the simulator's, in %."""
    client_rate = (call["tokens_generated"] - 1) / ((call["stream_ms"] - call["ttft_ms"]) / 1e3)
    return 100 * (client_rate / (served["eval_count"] / (served["eval_duration_ns"] / 1e9)) - 1)


def turns(clients, rounds):
    """Both clients once per round, the order swapped every round."""
    for i in range(rounds):
        yield from (clients if i % 2 == 0 else clients[::-1])


def chimera_start_ms(build, sim_port, scratch):
    started = time.perf_counter()
    proc, port = benchlib.start_chimera(build, sim_port, scratch)
    benchlib.wait_ready(port)
    elapsed = (time.perf_counter() - started) * 1e3
    benchlib.stop(proc)
    return elapsed


def python_start_ms(sim_port, scratch):
    started = time.perf_counter()
    proc = subprocess.Popen(PythonAgent.argv(f"http://127.0.0.1:{sim_port}", 0, MODEL, 0, scratch),
                            stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    elapsed = (time.perf_counter() - started) * 1e3
    if line != "ready\n" or proc.wait() != 0:
        raise SystemExit(f"the Python agent did not start: {line!r}")
    return elapsed


def measure(build, sim_port, scratch, plan):
    clients = [Chimera(build), PythonAgent()]
    figures = {c.name: {"start_ms": [], "overhead": [], "first": [], "rate": [], "reported": [], "fast_rate": [],
                        "first_token_delay_ms": [],
                        "rss_kb": 0, "cpu_us": []} for c in clients}
    for client in turns(clients, plan["starts"]):
        start_ms = chimera_start_ms(build, sim_port, scratch) if client.name == "chimera" \
            else python_start_ms(sim_port, scratch)
        figures[client.name]["start_ms"].append(start_ms)
    for client in turns(clients, plan["rounds"]):
        short_streams(figures[client.name], invoke(client, sim_port, scratch, plan["runs"]))
    for client in turns(clients, plan["cpu_rounds"]):
        long, short = (invoke(client, sim_port, scratch, 1, FAST_MODEL, tokens) for tokens in (plan["cpu_tokens"], 1))
        cpu_streams(figures[client.name], long, short)
    return figures


def short_streams(mine, done):
    overheads = [c["ttft_ms"] - s["ttft_ms"] for c, s in done["pairs"]]
    mine["first"].append(overheads[0])
    mine["overhead"] += overheads[1:]
    mine["rate"] += [rate_vs_sim_pct(c, s) for c, s in done["pairs"]]
    mine["reported"] += [c["tokens_per_second"] for c, _ in done["pairs"]]
    mine["first_token_delay_ms"] += [s["first_token_delay_ms"] for _, s in done["pairs"]]
    mine["rss_kb"] = max(mine["rss_kb"], done["rss_kb"])


def cpu_streams(mine, long, short):
    mine["cpu_us"].append((long["cpu"] - short["cpu"]) * 1e6 / (long["tokens"] - short["tokens"]))
    mine["rss_kb"] = max(mine["rss_kb"], long["rss_kb"], short["rss_kb"])
    mine["fast_rate"] += [rate_vs_sim_pct(c, s) for c, s in long["pairs"]]


def machine_floor(build, plan, hold_ms):
    """loopback_wake_probe's overhead p50 and p99 in ms, the reply held for `hold_ms`."""
    probe = os.path.join(build, "bin", "loopback_wake_probe")
    out = subprocess.run([probe, "--exchanges", str(plan["probes"]), "--hold-us", str(round(hold_ms * 1e3))],
                         check=True, capture_output=True, text=True).stdout
    figures = json.loads(out)
    return figures["overhead_p50_us"] / 1e3, figures["overhead_p99_us"] / 1e3


def floor_rows(build, plan, hold_ms):
    p50, p99 = machine_floor(build, plan, hold_ms)
    note = (f"loopback_wake_probe: {plan['probes']} exchanges between two bare processes, the reply held "
            f"{hold_ms:.0f} ms (the simulator's median first-token delay), timed in user space")
    return [benchlib.result("machine_loopback_exchange_p50_ms", "machine floor: a bare loopback exchange, p50",
                            p50, "ms", note=note),
            benchlib.result("machine_loopback_exchange_p99_ms", "machine floor: a bare loopback exchange, p99",
                            p99, "ms", note=note)]


def summarise(f):
    return {"start_ms": statistics.median(f["start_ms"]), "calls": len(f["overhead"]),
            "p50": benchlib.percentile(f["overhead"], 0.50), "p99": benchlib.percentile(f["overhead"], 0.99),
            "first": statistics.median(f["first"]), "rate": statistics.median(f["rate"]),
            "reported": statistics.median(f["reported"]),
            "fast_rate": statistics.median(f["fast_rate"]),
            "cpu_us": statistics.median(f["cpu_us"]), "cpu_us_rounds": f["cpu_us"], "rss_mb": f["rss_kb"] / 1024}


def rows_of(name, s, plan):
    """One client's figures; the issue's floors and the guard apply to Chimera's only."""
    ours = name == "chimera"
    who = "Chimera" if ours else "Python reference"
    ttft = f"{s['calls']} calls after a process's first, {SLOW_TOKENS} tokens at {SLOW_RATE} tok/s"
    cpu = (f"median of {plan['cpu_rounds']} rounds of 2 calls of {plan['cpu_tokens']} tokens at {FAST_RATE} tok/s, "
           f"each minus num_predict 1: " + " / ".join(f"{x:.2f}" for x in s["cpu_us_rounds"]) + " µs")
    table = [
        ("ttft_overhead_p50_ms", "TTFT overhead p50 (client - simulator)", "p50", "ms", {"max": 0.3}, None, ttft),
        ("ttft_overhead_p99_ms", "TTFT overhead p99 (client - simulator)", "p99", "ms", {"max": 1.0}, None, ttft),
        ("first_call_ttft_overhead_ms", "TTFT overhead of a process's first call, median", "first", "ms", None,
         None, "connection set-up and first use of the code included"),
        ("reported_tokens_per_second", "tokens/s reported (eval_count / eval_duration), median", "reported",
         "tok/s", None, None, f"the backend's figure: the simulator decodes at {SLOW_RATE} tok/s"),
        ("decode_rate_vs_sim_pct", "client decode rate vs simulator's, median", "rate", "%", None, None,
         f"{SLOW_RATE} tok/s"),
        ("fast_decode_rate_vs_sim_pct", f"client decode rate vs simulator's at {FAST_RATE} tok/s", "fast_rate", "%",
         None, None, f"{plan['cpu_tokens']}-token streams"),
        ("cpu_us_per_token", "CPU per streamed token (marginal)", "cpu_us", "µs", {"max": 2.0}, None, cpu),
        ("peak_rss_mb", "peak RSS of the client process", "rss_mb", "MB", None, "lower", None),
        ("start_to_ready_ms", f"start-up to ready, median of {plan['starts']}", "start_ms", "ms", {"max": 20}, None,
         "spawn -> /readyz 200" if ours else "spawn -> imports done, client ready"),
    ]
    return [benchlib.result(f"{name}_{rid}", f"{who}: {label}", s[key], unit, floor=floor if ours else None,
                            better=better if ours else None, note=note)
            for rid, label, key, unit, floor, better, note in table]


def ratio_rows(chimera, python):
    """Python's figure over Chimera's: independent of the machine's speed, so guarded."""
    table = (("ttft_overhead_p50", "TTFT overhead p50", "p50"), ("cpu_per_token", "CPU per streamed token", "cpu_us"),
             ("peak_rss", "peak RSS", "rss_mb"), ("start_to_ready", "start-up to ready", "start_ms"))
    return [benchlib.result(f"{rid}_python_over_chimera", f"{label}: Python reference / Chimera",
                            python[key] / chimera[key], "ratio", better="higher")
            for rid, label, key in table]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(benchlib.ROOT, "build"))
    parser.add_argument("--quick", action="store_true", help="the short version, for CI")
    parser.add_argument("--out")
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    scratch = tempfile.mkdtemp(prefix="chimera-client-overhead-")
    sim, sim_port = benchlib.start_sim(args.build, "--tokens-per-second", SLOW_RATE, "--tokens", SLOW_TOKENS)
    try:
        figures = measure(args.build, sim_port, scratch, plan)
    finally:
        benchlib.stop(sim)
        shutil.rmtree(scratch, ignore_errors=True)
    command = "tests/bench/client_overhead.py" + (" --quick" if args.quick else "")
    chimera, python = summarise(figures["chimera"]), summarise(figures["python"])
    hold_ms = statistics.median(figures["chimera"]["first_token_delay_ms"])
    benchlib.write(args.out, "client", command,
                   rows_of("chimera", chimera, plan) + floor_rows(args.build, plan, hold_ms) +
                   rows_of("python", python, plan) + ratio_rows(chimera, python))


if __name__ == "__main__":
    main()
