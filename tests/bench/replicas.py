#!/usr/bin/env python3
"""Several replicas on one PostgreSQL store behind nginx, against one replica on SQLite (issue 15).

usage: tests/bench/replicas.py [--build build] [--out FILE.json] [--quick]

Starts a real PostgreSQL 15 (initdb in a temporary directory; as the postgres user when run as
root), an ollama-sim (100 tokens at 500/s: 0.2 s a call), and nginx round-robin before the
replicas. The same phases run against 3 replicas on PostgreSQL and 1 replica on SQLite, each
behind nginx:
- claim to start: runs submitted one every 100 ms to idle workers; started_at - created_at;
- cross-replica events (PostgreSQL only): the run watched on every replica; for each token event
  that reaches a replica not executing the run, how long after its owner's own subscriber had
  the same text (the NOTIFY path: coalesced every 50 ms, then one round trip);
- POST /runs accepted per second: wrk (1 thread, 32 connections) POSTs for a few seconds; every
  202 must be a row of the store afterwards (0 lost);
- GET /healthz p99 through nginx while 8 clients POST 1,000 runs;
- RSS of each replica at the end.
PostgreSQL runs with synchronous_commit=off, as SQLite runs with synchronous=NORMAL: a commit
survives the process, not the machine. Absolute figures of this machine, for docs/benchmarks.md;
nothing here is guarded in CI.
"""
import argparse
import calendar
import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

PG_BIN = "/usr/lib/postgresql/15/bin"
SIM_FLAGS = ["--tokens", "100", "--tokens-per-second", "500"]
LUA_POST = benchlib.wrk_post_script('{"data_dir":"tiny"}')


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_postgres(tmp, procs):
    """PostgreSQL on a free loopback port; its URL for --store."""
    root = os.path.join(tmp, "pg")
    os.makedirs(os.path.join(root, "socket"))
    user = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
    if user:
        os.chmod(tmp, 0o755)
        for path in (root, os.path.join(root, "socket")):
            os.chown(path, user.pw_uid, user.pw_gid)

    def demote():
        if user:
            os.setgroups([])
            os.setgid(user.pw_gid)
            os.setuid(user.pw_uid)

    subprocess.run([f"{PG_BIN}/initdb", "-D", f"{root}/data", "-U", "postgres", "--auth", "trust", "-E", "UTF8",
                    "--no-sync", "--no-instructions"], preexec_fn=demote, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    procs.append(subprocess.Popen([f"{PG_BIN}/postgres", "-D", f"{root}/data", "-p", str(port), "-k", f"{root}/socket",
                                   "-c", "listen_addresses=127.0.0.1", "-c", "synchronous_commit=off",
                                   "-c", "max_connections=100"], preexec_fn=demote,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    for _ in range(3000):
        if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(port)]).returncode == 0:
            return f"postgresql://postgres@127.0.0.1:{port}/postgres"
        time.sleep(0.01)
    raise SystemExit("PostgreSQL did not start")


def sql(url, query):
    return subprocess.run(["psql", url, "-At", "-c", query], capture_output=True, text=True, check=True).stdout.strip()


def start_nginx(tmp, upstreams, procs):
    prefix = os.path.join(tmp, "nginx")
    os.makedirs(prefix + "/tmp")
    port = free_port()
    servers = "".join(f"server 127.0.0.1:{p} max_fails=0;" for p in upstreams)
    temp = " ".join(f"{kind}_temp_path {prefix}/tmp;" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf = f"""worker_processes 1; pid {prefix}/nginx.pid; error_log {prefix}/error.log;
events {{ worker_connections 1024; }}
http {{ access_log off; {temp}
  upstream chimera {{ {servers} keepalive 64; }}
  server {{ listen 127.0.0.1:{port};
    location / {{ proxy_pass http://chimera; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_buffering off; proxy_read_timeout 1h; proxy_next_upstream error timeout http_503; }} }} }}
"""
    with open(prefix + "/nginx.conf", "w") as out:
        out.write(conf)
    procs.append(subprocess.Popen(["/usr/sbin/nginx", "-p", prefix, "-c", prefix + "/nginx.conf", "-g",
                                   "daemon off;" + (" user root;" if os.geteuid() == 0 else "")]))
    benchlib.wait_ready(port, "/healthz")
    return port


def post_run(port):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/runs", data=b'{"data_dir":"tiny"}', method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as reply:
        return json.loads(reply.read())["id"]


def document(port, run_id):
    return json.loads(benchlib.call(port, "GET", f"/runs/{run_id}"))


def wait_ended(port, run_id):
    for _ in range(6000):
        doc = document(port, run_id)
        if doc["status"] in ("succeeded", "failed", "cancelled"):
            return doc
        time.sleep(0.02)
    raise SystemExit(f"run {run_id} did not end")


def epoch_ms(rfc3339):
    """ "2026-12-02T23:44:51.326Z" in milliseconds since the epoch."""
    return calendar.timegm(time.strptime(rfc3339[:19], "%Y-%m-%dT%H:%M:%S")) * 1000 + int(rfc3339[20:23])


def claim_to_start(port, runs):
    """started_at - created_at (ms) of runs submitted one every 500 ms, slower than even one
    replica's two workers finish them (0.4 s a run): the delay of the claim, not of a queue."""
    ids = []
    for _ in range(runs):
        ids.append(post_run(port))
        time.sleep(0.5)  # the load's pace
    delays = []
    for run_id in ids:
        doc = wait_ended(port, run_id)
        delays.append(epoch_ms(doc["started_at"]) - epoch_ms(doc["created_at"]))
    return delays


def watch(port, run_id, out):
    """Arrival time and text of each token event of the run's event stream on `port`."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/runs/{run_id}/events", timeout=120) as stream:
        event = None
        for raw in stream:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "token":
                data = json.loads(line[6:])
                out.append((time.monotonic(), data["call"], data["text"]))
            elif line.startswith("data: ") and event == "document":
                return


def event_delays(replica_ports, balancer, runs):
    """For each token event a non-owner replica delivered: ms after the owner's subscriber had its text."""
    delays = []
    for _ in range(runs):
        run_id = post_run(balancer)
        seen = {port: [] for port in replica_ports}
        threads = [threading.Thread(target=watch, args=(port, run_id, seen[port])) for port in replica_ports]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        owner_pid = int(document(balancer, run_id)["executed_by"].split("-")[-2])
        owner = next(p for p, pid in REPLICA_PIDS.items() if pid == owner_pid)
        for port in replica_ports:
            if port == owner:
                continue
            delays += remote_delays(seen[owner], seen[port])
    return delays


def remote_delays(owner_events, remote_events):
    """Per call, the owner's arrival time of each character; a remote event's delay is measured
    from the arrival of its first character at the owner: the longest any of its text waited
    (coalescing included)."""
    delays = []
    for call in ("analysis", "report"):
        arrivals = []
        for at, c, text in owner_events:
            if c == call:
                arrivals += [at] * len(text)
        offset = 0
        for at, c, text in remote_events:
            if c != call:
                continue
            if text and offset < len(arrivals):
                delays.append((at - arrivals[offset]) * 1e3)
            offset += len(text)
    return delays


def cancel_delays(replica_ports, balancer, runs):
    """ms from DELETE /runs/{id} sent to a replica that does not execute the run to the run's document
    saying cancelled on the replica that does (the stream closed, the run unwound and was recorded)."""
    delays = []
    for _ in range(runs):
        run_id = post_run(balancer)
        for _ in range(2000):
            doc = document(balancer, run_id)
            if doc["status"] == "running" and doc["executed_by"]:
                break
            time.sleep(0.002)
        owner_pid = int(doc["executed_by"].split("-")[-2])
        owner = next(p for p, pid in REPLICA_PIDS.items() if pid == owner_pid)
        other = next(p for p in replica_ports if p != owner)
        started = time.monotonic()
        benchlib.call(other, "DELETE", f"/runs/{run_id}")
        while document(owner, run_id)["status"] == "running":
            time.sleep(0.001)
        if document(owner, run_id)["status"] == "cancelled":
            delays.append((time.monotonic() - started) * 1e3)
    return delays


def post_rate(balancer, seconds, url):
    """wrk POSTs for `seconds`; (accepted per second, accepted, rows found afterwards)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA_POST)
    before = count_runs(url, balancer)
    text = subprocess.run(["wrk", "-t1", "-c32", f"-d{seconds}s", "-s", script.name, f"http://127.0.0.1:{balancer}/runs"],
                          capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    accepted = int(re.search(r"statuses: 202=(\d+)", text).group(1))
    return accepted / seconds, accepted, count_runs(url, balancer) - before


def count_runs(url, balancer):
    """Runs in the store: SQL on PostgreSQL, the queue gauges' sum elsewhere."""
    if url:
        return int(sql(url, "SELECT count(*) FROM runs"))
    ids, cursor = 0, None
    while True:
        page = json.loads(benchlib.call(balancer, "GET", "/runs?limit=500" + (f"&cursor={cursor}" if cursor else "")))
        ids += len(page["runs"])
        cursor = page["next_cursor"]
        if cursor is None:
            return ids


def burst(port, posts):
    """POSTs `posts` runs from 8 threads (run in a process of its own: see healthz_during_burst)."""
    counter = iter(range(posts))
    lock = threading.Lock()

    def poster():
        while True:
            with lock:
                if next(counter, None) is None:
                    return
            post_run(port)

    posters = [threading.Thread(target=poster) for _ in range(8)]
    for thread in posters:
        thread.start()
    for thread in posters:
        thread.join()


def healthz_during_burst(balancer, posts):
    """GET /healthz latencies while another process POSTs: in this one, the posting threads
    would hold the probe back on Python's lock and measure Python, not the service."""
    poster = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--burst", str(balancer), str(posts)])
    times = []
    while poster.poll() is None:
        started = time.perf_counter()
        benchlib.call(balancer, "GET", "/healthz")
        times.append((time.perf_counter() - started) * 1e3)
    if poster.returncode != 0:
        raise SystemExit("the POST burst failed")
    return benchlib.percentile(times, 0.99), len(times)


REPLICA_PIDS = {}


def measure(build, replicas, quick, shared):
    tmp = tempfile.mkdtemp(prefix="chimera_replicas_")
    procs = []
    try:
        url = start_postgres(tmp, procs) if shared else None
        sim, sim_port = benchlib.start_sim(build, *SIM_FLAGS)
        procs.append(sim)
        ports, chimeras = [], []
        for i in range(replicas):
            flags = ["--workers", "2", "--queue-capacity", "1000000", "--drain-timeout", "100ms"] + \
                (["--store", url] if url else [])
            proc, port = benchlib.start_chimera(build, sim_port, os.path.join(tmp, f"state{i}"), *flags)
            procs.append(proc)
            chimeras.append(proc)
            ports.append(port)
            REPLICA_PIDS[port] = proc.pid
            benchlib.wait_ready(port)
        balancer = start_nginx(tmp, ports, procs)
        out = {"claim_to_start": claim_to_start(balancer, 10 if quick else 60)}
        if replicas > 1:
            out["event_delay"] = event_delays(ports, balancer, 3 if quick else 10)
            out["cancel_delay"] = cancel_delays(ports, balancer, 5 if quick else 20)
        out["post"] = post_rate(balancer, 2 if quick else 5, url)
        out["healthz_p99"], out["healthz_samples"] = healthz_during_burst(balancer, 1000)
        out["rss_mb"] = [benchlib.status_kb(p.pid, "VmRSS") / 1024 for p in chimeras]
        return out
    finally:
        # The balancer and the replicas first: a backend or store gone under a draining replica
        # would fail its last runs for nothing.
        for proc in reversed(procs):
            proc.terminate()
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)


def results(name, figures):
    p = benchlib.percentile
    rate, accepted, rows = figures["post"]
    out = [
        benchlib.result(f"{name}_post_rate", f"POST /runs accepted per second, {name}", round(rate), "runs/s",
                        floor={"min": 1000} if name == "pg3" else None, note="wrk -t1 -c32 through nginx"),
        benchlib.result(f"{name}_post_lost", f"accepted runs missing from the store, {name}",
                        max(0, accepted - rows), "runs", floor={"max": 0}),
        benchlib.result(f"{name}_claim_to_start_p50", f"claim to start p50, {name}",
                        p(figures["claim_to_start"], 0.5), "ms"),
        benchlib.result(f"{name}_claim_to_start_p99", f"claim to start p99, {name}",
                        p(figures["claim_to_start"], 0.99), "ms"),
        benchlib.result(f"{name}_healthz_p99_burst", f"GET /healthz p99 during a 1,000-POST burst, {name}",
                        round(figures["healthz_p99"], 2), "ms", floor={"max": 10} if name == "pg3" else None,
                        note=f"{figures['healthz_samples']} probes through nginx"),
        benchlib.result(f"{name}_rss_mb", f"RSS per replica (max), {name}", round(max(figures["rss_mb"]), 1), "MB"),
    ]
    if "cancel_delay" in figures:
        out += [benchlib.result("pg3_cancel_p50", "DELETE through another replica to the run cancelled, p50",
                                round(p(figures["cancel_delay"], 0.5), 1), "ms",
                                note=f"{len(figures['cancel_delay'])} runs cancelled mid-run"),
                benchlib.result("pg3_cancel_max", "DELETE through another replica to the run cancelled, max",
                                round(max(figures["cancel_delay"]), 1), "ms", floor={"max": 1000})]
    if "event_delay" in figures:
        out += [benchlib.result("pg3_event_delay_p50", "cross-replica event delay p50", round(p(figures["event_delay"], 0.5), 1), "ms"),
                benchlib.result("pg3_event_delay_p99", "cross-replica event delay p99", round(p(figures["event_delay"], 0.99), 1), "ms")]
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="build")
    parser.add_argument("--out")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--burst", nargs=2, type=int, metavar=("PORT", "POSTS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.burst:
        burst(*args.burst)
        return
    shared = measure(args.build, 3, args.quick, True)
    alone = measure(args.build, 1, args.quick, False)
    out = results("pg3", shared) + results("sqlite1", alone)
    out.append(benchlib.result("post_rate_sqlite1_over_pg3", "POST /runs rate, SQLite ×1 / PostgreSQL ×3",
                               round(alone["post"][0] / shared["post"][0], 2), "ratio"))
    benchlib.write(args.out, "replicas", "tests/bench/replicas.py" + (" --quick" if args.quick else ""), out)


if __name__ == "__main__":
    main()
