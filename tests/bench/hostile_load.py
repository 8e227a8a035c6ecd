#!/usr/bin/env python3
"""What hostile clients cost `chimera serve` (issue 16): figures for docs/benchmarks.md.

usage: tests/bench/hostile_load.py [--build build] [--names 1000] [--out FILE.json]

- Model names: /metrics size, its series of chimera_llm_requests_total and the process's RSS,
  before and after N runs that each name another model (CR LF, quotes, a forged # TYPE line),
  which all count as model="other".
- Scrapes: GET /healthz latency (p50/p99 of 2,000) while another client scrapes /metrics in
  a loop, against the same without scrapes.
- Bodies: the time to refuse one 1 MB body of nested arrays, and GET /healthz latency while
  16 clients post such bodies in a loop (the parse runs on the blocking pool, not on the
  network thread).
Not part of the suite's --check: these are absolute times of this machine, for the record.
"""
import argparse
import http.client
import json
import os
import tempfile
import threading
import time

import benchlib

HEALTH_SAMPLES = 2000


def request(port, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request(method, path, body=body, headers=headers or {})
    reply = connection.getresponse()
    data = reply.read()
    connection.close()
    return reply.status, data


def health_latencies_ms(port):
    times = []
    for _ in range(HEALTH_SAMPLES):
        started = time.perf_counter()
        request(port, "GET", "/healthz")
        times.append((time.perf_counter() - started) * 1e3)
    return benchlib.percentile(times, 0.5), benchlib.percentile(times, 0.99)


def under_load(port, load):
    """/healthz p50/p99 while `load` runs in a loop on its own threads."""
    stop = threading.Event()

    def loop():
        while not stop.is_set():
            load()

    threads = [threading.Thread(target=loop) for _ in range(load.threads)]
    for thread in threads:
        thread.start()
    try:
        return health_latencies_ms(port)
    finally:
        stop.set()
        for thread in threads:
            thread.join()


def series(exposition, name):
    return sum(1 for line in exposition.splitlines() if line.startswith(name + "{"))


def hostile_names(port, pid, names):
    before = request(port, "GET", "/metrics")[1].decode()
    rss_before = benchlib.status_kb(pid, "VmRSS")
    for i in range(names):
        model = f"m{i}\r\n# TYPE forged counter\n\"\\"
        status, _ = request(port, "POST", "/runs", json.dumps({"data_dir": "tiny", "model": model}),
                            {"Content-Type": "application/json"})
        assert status == 202, status
    while True:
        exposition = request(port, "GET", "/metrics")[1].decode()
        finished = sum(float(line.rsplit(" ", 1)[1]) for line in exposition.splitlines()
                       if line.startswith("chimera_runs_total{"))
        if finished >= names:
            break
        time.sleep(0.05)
    return [
        benchlib.result("hostile.metrics_bytes_before", "/metrics size before", len(before), "bytes"),
        benchlib.result("hostile.metrics_bytes_after", f"/metrics size after {names} model names", len(exposition),
                        "bytes"),
        benchlib.result("hostile.requests_series_after", "chimera_llm_requests_total series after",
                        series(exposition, "chimera_llm_requests_total"), "series"),
        benchlib.result("hostile.rss_kb_before", "RSS before", rss_before, "kB"),
        benchlib.result("hostile.rss_kb_after", f"RSS after {names} model names", benchlib.status_kb(pid, "VmRSS"),
                        "kB"),
    ]


def nested_body():
    depth = 500_000
    return ("[" * depth + "]" * depth).encode()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default="build")
    parser.add_argument("--names", type=int, default=1000)
    parser.add_argument("--out")
    args = parser.parse_args()
    sim, sim_port = benchlib.start_sim(args.build, "--tokens", "4", "--tokens-per-second", "100000")
    with tempfile.TemporaryDirectory() as state:
        chimera, port = benchlib.start_chimera(args.build, sim_port, state, "--workers", "8",
                                               "--queue-capacity", "100000")
        try:
            benchlib.wait_ready(port)
            results = hostile_names(port, chimera.pid, args.names)
            quiet = health_latencies_ms(port)

            def scrape():
                request(port, "GET", "/metrics")
            scrape.threads = 1
            scraped = under_load(port, scrape)

            body = nested_body()
            started = time.perf_counter()
            status, answer = request(port, "POST", "/runs", body, {"Content-Type": "application/json"})
            refuse_ms = (time.perf_counter() - started) * 1e3
            assert status == 400, (status, answer[:200])

            def post_nested():
                request(port, "POST", "/runs", body, {"Content-Type": "application/json"})
            post_nested.threads = 16
            posted = under_load(port, post_nested)
        finally:
            benchlib.stop(chimera, sim)
    results += [
        benchlib.result("hostile.healthz_p50_ms", "/healthz p50, quiet", round(quiet[0], 3), "ms"),
        benchlib.result("hostile.healthz_p99_ms", "/healthz p99, quiet", round(quiet[1], 3), "ms"),
        benchlib.result("hostile.healthz_p50_scraping_ms", "/healthz p50 while /metrics is scraped in a loop",
                        round(scraped[0], 3), "ms"),
        benchlib.result("hostile.healthz_p99_scraping_ms", "/healthz p99 while /metrics is scraped in a loop",
                        round(scraped[1], 3), "ms"),
        benchlib.result("hostile.nested_1mb_refused_ms", "one 1 MB body of nested arrays refused (400)",
                        round(refuse_ms, 2), "ms"),
        benchlib.result("hostile.healthz_p50_nested_ms", "/healthz p50 while 16 clients post 1 MB nested bodies",
                        round(posted[0], 3), "ms"),
        benchlib.result("hostile.healthz_p99_nested_ms", "/healthz p99 while 16 clients post 1 MB nested bodies",
                        round(posted[1], 3), "ms"),
    ]
    benchlib.write(args.out, "hostile", "tests/bench/hostile_load.py", results)


if __name__ == "__main__":
    main()
