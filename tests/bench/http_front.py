#!/usr/bin/env python3
"""The HTTP front of `chimera serve`, side by side with nginx serving the same bytes.

Rates: wrk (`-t1 -c32 --latency`) on GET /healthz and GET /runs/{id} of a finished run,
against chimera and against nginx (Debian's package) serving static files with the same
body and Content-Type, in alternating rounds so that drift on a shared machine hits both.
nginx runs twice: with Debian's `worker_processes auto` (the headline reference) and with
one worker, the like of chimera's single io thread. nginx's access log is off; chimera is
measured at `--log-level warn` (no access log, the headline) and at `info`, where every
request writes its JSON access line (to a file), to show what that line costs. Each ratio
is the median over rounds of chimera's rate / nginx's in the same round. On two cores with
wrk on one, a rate depends on what else runs; the servers' CPU time per request (utime +
stime of all their processes over a round / its requests) much less: reported for each,
and as nginx's (1 worker) / chimera's.

POST /runs acceptance: a chimera whose queue never fills (--queue-capacity 10^6) before a
simulator that never answers (its cold load lasts 10 minutes), so accepted runs just
queue; wrk POSTs a valid body and its Lua script counts the status codes: every one must
be 202, and the runs queued must be what wrk saw accepted (plus at most one request per
connection still in flight when wrk stopped).

/metrics scrape: after populating every family (runs succeeded, failed on a 500, failed
after retried 503s, cancelled; 4xx answers; the wrk traffic), N GET /metrics on one
keep-alive connection, timed from request to last body byte; and chimera's CPU time
(utime + stime) over them per scrape, which a loaded machine does not inflate.

usage: tests/bench/http_front.py [--build DIR] [--quick] [--out FILE.json]
"""
import argparse
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

CONNECTIONS = 32
LUA_COUNT_STATUSES = benchlib.wrk_post_script('{"data_dir":"tr109"}')


def nginx_conf(prefix, workers):
    """Debian's defaults that matter for a static file (sendfile, tcp_nopush, keep-alive)."""
    return f"""worker_processes {workers};
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 768; }}
http {{
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    access_log off;
    client_body_temp_path {prefix}/tmp;
    proxy_temp_path {prefix}/tmp;
    fastcgi_temp_path {prefix}/tmp;
    uwsgi_temp_path {prefix}/tmp;
    scgi_temp_path {prefix}/tmp;
    types {{ }}
    default_type application/json;
    server {{
        listen 127.0.0.1:{{port}};
        root {prefix}/docroot;
    }}
}}
"""


def start_nginx(tmp, name, workers, bodies, procs):
    """nginx in the foreground on a free port, serving `bodies` ({path: bytes}) from its docroot;
    appended to `procs` at once, so that it is stopped whatever happens next."""
    prefix = os.path.join(tmp, name)
    for path, body in bodies.items():
        os.makedirs(os.path.dirname(prefix + "/docroot" + path), exist_ok=True)
        with open(prefix + "/docroot" + path, "wb") as out:
            out.write(body)
    os.makedirs(prefix + "/tmp", exist_ok=True)
    port = free_port()
    with open(prefix + "/nginx.conf", "w") as conf:
        conf.write(nginx_conf(prefix, workers).replace("{port}", str(port)))
    procs.append(subprocess.Popen(["/usr/sbin/nginx", "-p", prefix, "-c", prefix + "/nginx.conf",
                                   "-g", "daemon off;"]))
    benchlib.wait_ready(port, "/healthz", attempts=1000)
    return port, process_tree(procs[-1].pid)


def process_tree(pid):
    """A process and its children: nginx's master and workers."""
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [pid, *map(int, children)]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seconds_of(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


def wrk(port, path, seconds, script=None):
    """One wrk round; its rate, p99 latency (ms), failed responses and the Lua script's output."""
    argv = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
    if script:
        argv += ["-s", script]
    text = subprocess.run(argv + [f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True,
                          check=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    return {"rate": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
            "requests": int(re.search(r"(\d+) requests in", text).group(1)),
            "p99_ms": seconds_of(re.search(r"\s99%\s+(\S+)", text).group(1)) * 1e3,
            "failed": (int(non_2xx.group(1)) if non_2xx else 0) +
                      (sum(map(int, socket_errors.groups())) if socket_errors else 0),
            "text": text}


def alternate(servers, path, rounds, seconds):
    """wrk on each server ({name: (port, pids)}) in turn, `rounds` times; {name: [round results]},
    each with the server's CPU time (utime + stime of all its processes) per request."""
    measured = {name: [] for name in servers}
    for _ in range(rounds):
        for name, (port, pids) in servers.items():
            cpu_before = sum(map(benchlib.cpu_seconds, pids))
            measured[name].append(wrk(port, path, seconds))
            cpu = sum(map(benchlib.cpu_seconds, pids)) - cpu_before
            measured[name][-1]["cpu_us"] = cpu / measured[name][-1]["requests"] * 1e6
    failed = {name: sum(r["failed"] for r in rs) for name, rs in measured.items() if any(r["failed"] for r in rs)}
    if failed:
        raise SystemExit(f"wrk on {path}: failed responses {failed}")
    return measured


def median_rate(rounds):
    return statistics.median(r["rate"] for r in rounds)


def median_p99(rounds):
    return statistics.median(r["p99_ms"] for r in rounds)


def ratio(ours, theirs, figure="rate"):
    return statistics.median(a[figure] / b[figure] for a, b in zip(ours, theirs))


def median_cpu(rounds):
    return statistics.median(r["cpu_us"] for r in rounds)


def rate_results(rid, path, measured, chimeras, note):
    """Rates and CPU per request of one path, their ratios to nginx's, and p99s."""
    out = []
    for name in chimeras:
        tag = "" if name == "chimera" else "_" + name.split("_", 1)[1]
        ours = measured[name]
        out += [benchlib.result(f"{rid}_rate{tag}", f"GET {path} rate, {name}", round(median_rate(ours)), "req/s",
                                note=note),
                benchlib.result(f"{rid}_p99{tag}", f"GET {path} p99 latency, {name}", round(median_p99(ours), 2), "ms",
                                note=note)]
        headline = name == "chimera" and rid == "healthz"
        out += [benchlib.result(f"{rid}_rate_vs_nginx{tag}", f"GET {path} rate, {name} / nginx (workers auto)",
                                round(ratio(ours, measured["nginx"]), 3), "ratio",
                                floor={"min": 0.70} if headline else None,
                                better="higher" if name == "chimera" else None, note=note),
                benchlib.result(f"{rid}_rate_vs_nginx1{tag}", f"GET {path} rate, {name} / nginx (1 worker)",
                                round(ratio(ours, measured["nginx1"]), 3), "ratio", note=note),
                benchlib.result(f"{rid}_cpu{tag}", f"GET {path} server CPU per request, {name}",
                                round(median_cpu(ours), 2), "µs", note=note + "; utime+stime / requests"),
                benchlib.result(f"{rid}_cpu_nginx_vs{tag}", f"GET {path} CPU per request, nginx (1 worker) / {name}",
                                round(ratio(measured["nginx1"], ours, "cpu_us"), 3), "ratio",
                                better="higher" if name == "chimera" else None, note=note)]
    for name in ("nginx", "nginx1"):
        label = "workers auto" if name == "nginx" else "1 worker"
        out += [benchlib.result(f"{rid}_rate_{name}", f"GET {path} rate, nginx ({label})",
                                round(median_rate(measured[name])), "req/s", note=note),
                benchlib.result(f"{rid}_p99_{name}", f"GET {path} p99 latency, nginx ({label})",
                                round(median_p99(measured[name]), 2), "ms", note=note),
                benchlib.result(f"{rid}_cpu_{name}", f"GET {path} server CPU per request, nginx ({label})",
                                round(median_cpu(measured[name]), 2), "µs", note=note + "; utime+stime / requests")]
    return out


def run_to_end(port, body):
    run_id = json.loads(benchlib.call(port, "POST", "/runs", body))["id"]
    for _ in range(6000):
        doc = json.loads(benchlib.call(port, "GET", f"/runs/{run_id}"))
        if doc["status"] in ("succeeded", "failed", "cancelled"):
            return run_id, doc["status"]
        time.sleep(0.01)
    raise SystemExit(f"run {run_id} never ended")


def expect_status(port, method, path, body, status):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
    got = conn.getresponse().status
    conn.close()
    if got != status:
        raise SystemExit(f"{method} {path}: {got}, expected {status}")


def populate_metrics(port):
    """Gives every metric family the series a busy service has: each run outcome, retries,
    a cancellation, error answers. The fault models are the simulator's: 'fault/<items>'."""
    expected = [({"data_dir": "tr109"}, "succeeded"),
                ({"data_dir": "tr109", "model": "fault/status=500"}, "failed"),
                ({"data_dir": "tr109", "model": "fault/status=503"}, "failed"),
                ({"data_dir": "tr109", "model": "fault/midstream-error-after=3"}, "failed")]
    for body, status in expected:
        if run_to_end(port, body)[1] != status:
            raise SystemExit(f"run {body} did not end {status}")
    slow = json.loads(benchlib.call(port, "POST", "/runs", {"data_dir": "tr109", "model": "fault/load-ms=60000"}))
    time.sleep(0.2)
    benchlib.call(port, "DELETE", f"/runs/{slow['id']}")
    expect_status(port, "GET", "/runs/no-such-run", None, 404)
    expect_status(port, "POST", "/runs", "{not json", 400)
    expect_status(port, "PUT", "/healthz", None, 405)
    expect_status(port, "GET", "/nowhere", None, 404)


def scrape_times(port, count):
    """Times `count` GET /metrics on one keep-alive connection; (ms per scrape, last body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times, body = [], b""
    for _ in range(count):
        start = time.perf_counter()
        conn.request("GET", "/metrics")
        body = conn.getresponse().read()
        times.append((time.perf_counter() - start) * 1e3)
    conn.close()
    return times, body


def post_acceptance(build, tmp, seconds, procs):
    """POST /runs against a queue that never fills; (wrk's figures, accepted, refused, runs queued)."""
    sim, sim_port = benchlib.start_sim(build, "--load-ms", 600000)
    procs.append(sim)
    chimera, port = benchlib.start_chimera(build, sim_port, os.path.join(tmp, "post-state"),
                                           "--queue-capacity", 1_000_000, "--drain-timeout", "100ms")
    procs.append(chimera)
    script = os.path.join(tmp, "post.lua")
    with open(script, "w") as out:
        out.write(LUA_COUNT_STATUSES)
    measured = wrk(port, "/runs", seconds, script)
    accepted, refused = map(int, re.search(r"statuses: 202=(\d+) other=(\d+)", measured["text"]).groups())
    metrics = benchlib.call(port, "GET", "/metrics")
    in_service = sum(float(m) for m in re.findall(r"^chimera_runs_(?:queued|running) (\S+)$", metrics, re.M))
    return measured, accepted, refused, int(in_service)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(benchlib.ROOT, "build"))
    parser.add_argument("--quick", action="store_true", help="1 s rounds, 2 rounds: for CI")
    parser.add_argument("--out")
    args = parser.parse_args()
    rounds, seconds, scrapes = (2, 1, 50) if args.quick else (3, 5, 300)
    note = f"wrk -t1 -c{CONNECTIONS} -d{seconds}s, median of {rounds} alternating rounds"
    tmp = tempfile.mkdtemp(prefix="chimera-front-")
    os.chmod(tmp, 0o755)  # nginx's workers, started by root, run as nobody and must read the docroot
    procs = []
    try:
        sim, sim_port = benchlib.start_sim(args.build, "--tokens", 20, "--tokens-per-second", 2000)
        procs.append(sim)
        chimera, port = benchlib.start_chimera(args.build, sim_port, os.path.join(tmp, "state"))
        procs.append(chimera)
        with open(os.path.join(tmp, "access.log"), "w") as access_log:
            chimera_info, info_port = benchlib.start(
                [os.path.join(args.build, "bin", "chimera"), "serve", "--listen", "127.0.0.1:0",
                 "--ollama-url", f"http://127.0.0.1:{sim_port}", "--state-dir", os.path.join(tmp, "state-info"),
                 "--log-level", "info"], stderr=access_log)
        procs.append(chimera_info)
        run_id, status = run_to_end(port, {"data_dir": "tr109"})
        if status != "succeeded":
            raise SystemExit(f"the run for GET /runs/{{id}} {status}")
        run_path = f"/runs/{run_id}"
        bodies = {"/healthz": benchlib.call(port, "GET", "/healthz").encode(),
                  run_path: benchlib.call(port, "GET", run_path).encode()}
        nginx = start_nginx(tmp, "nginx-auto", "auto", bodies, procs)
        nginx1 = start_nginx(tmp, "nginx-1", 1, bodies, procs)

        results = []
        ours = {"chimera": (port, [chimera.pid]), "chimera_info": (info_port, [chimera_info.pid])}
        healthz = alternate({**ours, "nginx": nginx, "nginx1": nginx1}, "/healthz", rounds, seconds)
        results += rate_results("healthz", "/healthz", healthz, ["chimera", "chimera_info"], note)
        results.append(benchlib.result("healthz_access_log_cpu", "GET /healthz CPU per request, without / with the "
                                       "access log", round(ratio(healthz["chimera"], healthz["chimera_info"], "cpu_us"),
                                                           3), "ratio", better="higher",
                                       note=note + "; --log-level warn vs info, the log to a file"))
        run_doc = alternate({"chimera": ours["chimera"], "nginx": nginx, "nginx1": nginx1}, run_path, rounds, seconds)
        results += rate_results("run_doc", "/runs/{id}", run_doc, ["chimera"],
                                note + f"; a {len(bodies[run_path])}-byte run document")

        populate_metrics(port)
        cpu_before = benchlib.cpu_seconds(chimera.pid)
        times, body = scrape_times(port, scrapes)
        cpu_per_scrape_ms = (benchlib.cpu_seconds(chimera.pid) - cpu_before) / scrapes * 1e3
        series = sum(1 for line in body.decode().splitlines() if line and not line.startswith("#"))
        scrape_note = f"{scrapes} scrapes on one keep-alive connection, {series} series"
        results += [benchlib.result("metrics_scrape_p50", "GET /metrics, p50", round(statistics.median(times), 3),
                                    "ms", note=scrape_note),
                    benchlib.result("metrics_scrape_p99", "GET /metrics, p99",
                                    round(benchlib.percentile(times, 0.99), 3), "ms", floor={"max": 5},
                                    note=scrape_note),
                    benchlib.result("metrics_scrape_cpu", "GET /metrics, chimera's CPU time per scrape",
                                    round(cpu_per_scrape_ms, 3), "ms", note=scrape_note + "; utime+stime, 10 ms ticks"),
                    benchlib.result("metrics_body_bytes", "GET /metrics body", len(body), "bytes", note=scrape_note)]

        measured, accepted, refused, in_service = post_acceptance(args.build, tmp, seconds * rounds, procs)
        post_note = f"wrk -t1 -c{CONNECTIONS} -d{seconds * rounds}s, --queue-capacity 1000000, backend never answers"
        results += [benchlib.result("post_runs_accepted_rate", "POST /runs accepted (202) per second",
                                    round(measured["rate"] * accepted / max(1, accepted + refused)), "req/s",
                                    note=post_note),
                    benchlib.result("post_runs_p99", "POST /runs p99 latency", round(measured["p99_ms"], 2), "ms",
                                    note=post_note),
                    benchlib.result("post_runs_not_accepted", "POST /runs answered other than 202", refused,
                                    "responses", floor={"max": 0}, better="lower", note=post_note)]
        benchlib.write(args.out, "front", "tests/bench/http_front.py" + (" --quick" if args.quick else ""), results)
        # Requests in flight when wrk stops are accepted but not counted by it: up to one per connection.
        if refused or measured["failed"] or not accepted <= in_service <= accepted + CONNECTIONS:
            raise SystemExit(f"POST /runs: {refused} not accepted, {measured['failed']} failed, "
                             f"{accepted} accepted but {in_service} queued or running")
    finally:
        benchlib.stop(*reversed(procs))
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
