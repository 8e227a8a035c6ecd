#!/usr/bin/env python3
"""Chimera's metrics, alerts and dashboard checked by a real Prometheus (issue 6, section 2 and 4).

Starts ollama-sim, `chimera serve` and Debian's `prometheus` on free loopback ports, runs a few runs,
and then, through Prometheus's HTTP API:
  1. waits until the scraped TTFT histogram has counted every call (2 per run);
  2. checks that histogram_quantile(0.95, ...) of TTFT is consistent with the TTFT ollama-sim measured
     for the same requests (GET /sim/stats), by bucket-boundary reasoning (see check_ttft_quantile);
  3. checks the mean TTFT (_sum/_count) the same way, which is tighter;
  4. runs `promtool check metrics` on the service's /metrics text;
  5. runs every PromQL expression of deploy/grafana/chimera-dashboard.json (Grafana variables
     substituted), and the model/stage variable queries, against this Prometheus: each must parse
     and return status "success"; likewise the ```promql examples of docs/operations.md;
  6. waits until every rule of deploy/prometheus/alerts.yml has been evaluated on the real series and
     checks none has an evaluation error (e.g. a vector-matching error, which promtool cannot see).

Python 3 standard library only. Every child process and HTTP request is bounded by a timeout;
synchronisation is by polling with a deadline, never by fixed sleeps. Everything started is killed
at the end, also on failure. Usage: see main() (ctest passes the paths; tests/observability/CMakeLists.txt).
"""

import argparse
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

HTTP_TIMEOUT = 10.0  # seconds, any single HTTP request
START_TIMEOUT = 20.0  # a child printing "listening on" / Prometheus becoming ready
RUNS_TIMEOUT = 90.0  # all runs reaching a terminal status
SCRAPE_TIMEOUT = 30.0  # Prometheus having scraped the final counts
RULES_TIMEOUT = 30.0  # every alerting rule evaluated at least once

TERMINAL = {"succeeded", "failed", "cancelled"}

# The slack between the simulator's TTFT and Chimera's for the same call, in seconds. The simulator
# clocks from "request read" to "first token written"; Chimera from call start (connection checkout,
# connect, request write) to "first non-empty token parsed". Chimera's interval contains the
# simulator's, so chimera_ttft >= sim_ttft, and the difference is loopback I/O plus parsing: well under
# a millisecond normally, a few ms on a loaded 2-core box or under sanitizers. 50 ms is generous.
TTFT_SLACK = 0.050


class TestFailure(Exception):
    pass


def log(msg):
    print(f"[prometheus_e2e] {msg}", flush=True)


# ---------------------------------------------------------------------------------------------
# HTTP helpers


def http(method, url, body=None, timeout=HTTP_TIMEOUT):
    data = None
    headers = {}
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def get_json(url):
    status, text = http("GET", url)
    if status != 200:
        raise TestFailure(f"GET {url} -> {status}: {text[:500]}")
    return json.loads(text)


def poll(what, deadline_s, fn, interval=0.1):
    """Calls fn() until it returns something truthy; raises with `what` once deadline_s has passed."""
    deadline = time.monotonic() + deadline_s
    last = None
    while True:
        last = fn()
        if last:
            return last
        if time.monotonic() >= deadline:
            raise TestFailure(f"timed out after {deadline_s:.0f}s waiting for {what}")
        time.sleep(interval)


def free_port():
    # Bound and released: the small race with another process taking it is acceptable here.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------------------
# Child processes


class Child:
    """A child process whose stdout/stderr go to files (no pipe can fill up and block it)."""

    def __init__(self, name, argv, workdir):
        self.name = name
        self.argv = argv
        self.out_path = os.path.join(workdir, f"{name}.stdout")
        self.err_path = os.path.join(workdir, f"{name}.stderr")
        self.out = open(self.out_path, "wb")
        self.err = open(self.err_path, "wb")
        log(f"start {name}: {' '.join(argv)}")
        self.proc = subprocess.Popen(argv, stdout=self.out, stderr=self.err, stdin=subprocess.DEVNULL,
                                     start_new_session=True)

    def wait_listening(self):
        """Returns HOST:PORT from the first stdout line, "listening on HOST:PORT"."""

        def check():
            with open(self.out_path, "rb") as f:
                first = f.readline().decode("utf-8", "replace")
            if first.endswith("\n"):
                m = re.match(r"listening on (\S+:\d+)\s*$", first)
                if not m:
                    raise TestFailure(f"{self.name}: unexpected first line {first!r}")
                return m.group(1)
            if self.proc.poll() is not None:
                raise TestFailure(f"{self.name} exited with {self.proc.returncode} before listening\n{self.tail()}")
            return None

        return poll(f"{self.name} to print 'listening on'", START_TIMEOUT, check, interval=0.05)

    def tail(self, n=4000):
        parts = []
        for p in (self.out_path, self.err_path):
            try:
                with open(p, "rb") as f:
                    data = f.read()[-n:].decode("utf-8", "replace")
            except OSError:
                data = ""
            parts.append(f"--- {os.path.basename(p)} (tail) ---\n{data}")
        return "\n".join(parts)

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                log(f"{self.name} ignored SIGTERM for 10s: SIGKILL")
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=10)
        self.out.close()
        self.err.close()


# ---------------------------------------------------------------------------------------------
# Prometheus


class Prometheus:
    def __init__(self, base):
        self.base = base

    def query(self, expr, at=None):
        params = {"query": expr}
        if at is not None:
            params["time"] = f"{at:.3f}"
        url = f"{self.base}/api/v1/query?{urllib.parse.urlencode(params)}"
        status, text = http("GET", url)
        try:
            doc = json.loads(text)
        except ValueError:
            raise TestFailure(f"Prometheus answered {status} with non-JSON for {expr!r}: {text[:300]}")
        return status, doc

    def value(self, expr):
        """The single sample of an instant query as a float, or None when the result is empty."""
        status, doc = self.query(expr)
        if status != 200 or doc.get("status") != "success":
            raise TestFailure(f"query {expr!r} failed: {status} {doc}")
        result = doc["data"]["result"]
        if doc["data"]["resultType"] == "scalar":
            return float(result[1])
        if not result:
            return None
        if len(result) != 1:
            raise TestFailure(f"query {expr!r}: expected one series, got {len(result)}: {result}")
        return float(result[0]["value"][1])


def write_prometheus_config(source_dir, workdir, chimera_addr):
    """deploy/prometheus/prometheus.yml with the target rewritten to the service's real address, a 1 s
    scrape/evaluation interval and rule_files pointing at the checked-in alerts.yml (absolute path).
    Text substitution (stdlib only); each substitution must apply exactly once, so a reshaped config
    fails here loudly instead of scraping the wrong target."""
    src = os.path.join(source_dir, "deploy", "prometheus", "prometheus.yml")
    alerts = os.path.join(source_dir, "deploy", "prometheus", "alerts.yml")
    with open(src, encoding="utf-8") as f:
        text = f.read()
    subs = [
        (r"targets:\s*\[\s*'127\.0\.0\.1:8080'\s*\]", f"targets: ['{chimera_addr}']"),
        (r"(?m)^(\s*)scrape_interval:.*$", r"\1scrape_interval: 1s"),
        (r"(?m)^(\s*)evaluation_interval:.*$", r"\1evaluation_interval: 1s"),
        (r"(?m)^(\s*)- alerts\.yml\s*$", rf"\1- {alerts}"),
    ]
    for pattern, repl in subs:
        text, n = re.subn(pattern, repl, text)
        if n != 1:
            raise TestFailure(f"{src}: expected exactly one match of {pattern!r}, found {n}")
    out = os.path.join(workdir, "prometheus.yml")
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)
    return out


# ---------------------------------------------------------------------------------------------
# Histogram reasoning


def parse_buckets(metrics_text, family):
    """The finite `le` bounds of a histogram family in exposition text, sorted."""
    bounds = set()
    for m in re.finditer(rf'^{re.escape(family)}_bucket\{{[^}}]*le="([^"]+)"', metrics_text, re.M):
        if m.group(1) != "+Inf":
            bounds.add(float(m.group(1)))
    return sorted(bounds)


def bucket_of(bounds, x):
    """(lower, upper] of the bucket holding x: Prometheus buckets are le-inclusive. The first bucket's
    lower bound is 0 (histogram_quantile interpolates from 0 there for positive bounds)."""
    lower = 0.0
    for b in bounds:
        if x <= b:
            return lower, b
        lower = b
    return lower, math.inf


def check_ttft_quantile(prom, bounds, sim_ttfts):
    """histogram_quantile(0.95) of the scraped TTFT histogram against the simulator's own TTFTs.

    Bucket-boundary reasoning. With n observations, histogram_quantile(q) computes rank = q*n, picks
    the first bucket whose cumulative count is >= rank and interpolates linearly inside it. That
    bucket is exactly the one holding the k-th smallest observation, k = ceil(q*n): cumulative(bucket)
    >= k >= rank, and the bucket below holds at most k-1 < rank. So the result lies in [lower, upper]
    of the bucket of Chimera's k-th smallest TTFT. We do not observe Chimera's values, but each one
    equals the simulator's TTFT for the same request plus a small non-negative slack (its clock
    interval contains the simulator's; TTFT_SLACK bounds the difference), and order statistics keep
    that bound: sim_(k) <= chimera_(k) <= sim_(k) + TTFT_SLACK. Hence the result must lie between
    the lower bound of the bucket holding sim_(k) and the upper bound of the bucket holding
    sim_(k) + TTFT_SLACK (the same bucket unless sim_(k) sits within the slack below a boundary).

    Queried over the cumulative counts since the service started (no rate()/increase()): the labelled
    histogram series appear with their first observation already counted, so rate()/increase() would
    miss the first call and extrapolate the rest; the cumulative form is exact. The rate() form the
    dashboard and alerts use is exercised separately (check_ttft_rate_form)."""
    n = len(sim_ttfts)
    k = math.ceil(0.95 * n)
    sim_k = sorted(sim_ttfts)[k - 1]
    lo, _ = bucket_of(bounds, sim_k)
    _, hi = bucket_of(bounds, sim_k + TTFT_SLACK)
    expr = "histogram_quantile(0.95, sum by (le) (chimera_llm_time_to_first_token_seconds_bucket))"
    p95 = prom.value(expr)
    log(f"TTFT: n={n}, sim p95 (k={k}) = {sim_k * 1e3:.1f} ms; Prometheus {expr} = "
        f"{p95 if p95 is None else round(p95 * 1e3, 1)} ms; allowed [{lo * 1e3:g}, {hi * 1e3:g}] ms")
    if p95 is None or not (lo <= p95 <= hi):
        raise TestFailure(f"TTFT p95 from Prometheus {p95} outside [{lo}, {hi}] (sim p95 {sim_k}, "
                          f"sim TTFTs {sorted(sim_ttfts)})")

    # The mean is exact, not bucketed: sum/count must lie in [mean_sim, mean_sim + slack].
    mean = prom.value("sum(chimera_llm_time_to_first_token_seconds_sum) / "
                      "sum(chimera_llm_time_to_first_token_seconds_count)")
    sim_mean = sum(sim_ttfts) / n
    log(f"TTFT mean: Prometheus {mean * 1e3:.2f} ms, sim {sim_mean * 1e3:.2f} ms")
    if not (sim_mean - 1e-4 <= mean <= sim_mean + TTFT_SLACK):
        raise TestFailure(f"TTFT mean from Prometheus {mean} inconsistent with the simulator's {sim_mean}")


def check_ttft_rate_form(prom, bounds, sim_ttfts, window_s):
    """The dashboard/alert form, increase() over a window covering all runs. For the reason given in
    check_ttft_quantile it sees at most all calls but the first per {model,stage} series, extrapolated,
    so it is only required to be a number within the buckets spanned by all the simulator's TTFTs."""
    expr = ("histogram_quantile(0.95, sum by (le) "
            f"(increase(chimera_llm_time_to_first_token_seconds_bucket[{window_s}s])))")
    v = prom.value(expr)
    lo, _ = bucket_of(bounds, min(sim_ttfts))
    _, hi = bucket_of(bounds, max(sim_ttfts) + TTFT_SLACK)
    log(f"TTFT p95 over increase[{window_s}s] = {v}; allowed [{lo}, {hi}]")
    if v is None or math.isnan(v) or not (lo <= v <= hi):
        raise TestFailure(f"{expr} = {v}, expected a number in [{lo}, {hi}]")


# ---------------------------------------------------------------------------------------------
# Dashboard


GRAFANA_SUBSTITUTIONS = [
    # Interval macros: values Grafana would plausibly pick for a short range at a 1 s scrape interval.
    (r"\$__rate_interval\b|\$\{__rate_interval\}", "1m"),
    (r"\$__interval\b|\$\{__interval\}", "1m"),
    (r"\$__range\b|\$\{__range\}", "1h"),
]


def dashboard_exprs(dashboard):
    """Every (panel title, refId, expr) of every panel, including panels nested in collapsed rows."""
    out = []

    def walk(panels):
        for p in panels:
            for t in p.get("targets", []):
                if t.get("expr"):
                    out.append((p.get("title", "?"), t.get("refId", "?"), t["expr"]))
            walk(p.get("panels", []))

    walk(dashboard.get("panels", []))
    return out


def substitute(expr, values):
    """Replaces Grafana variables: $name, ${name} and ${name:fmt} for name in values, plus the macros."""
    for pattern, repl in GRAFANA_SUBSTITUTIONS:
        expr = re.sub(pattern, repl, expr)
    for name, value in values.items():
        expr = re.sub(r"\$\{" + name + r"(?::[a-z]+)?\}|\$" + name + r"\b", lambda _m, v=value: v, expr)
    leftover = re.findall(r"\$\{?\w+", expr)
    if leftover:
        raise TestFailure(f"unsubstituted Grafana variables {leftover} in {expr!r}")
    return expr


def label_values_to_promql(query):
    """Grafana's label_values(selector, label) as an equivalent PromQL query."""
    m = re.fullmatch(r"\s*label_values\((.*),\s*(\w+)\s*\)\s*", query, re.S)
    if not m:
        raise TestFailure(f"unsupported variable query {query!r}")
    return f"count by ({m.group(2)}) ({m.group(1)})"


def check_dashboard(prom, dashboard_path, model):
    with open(dashboard_path, encoding="utf-8") as f:
        dashboard = json.load(f)
    exprs = dashboard_exprs(dashboard)
    if len(exprs) < 10:
        raise TestFailure(f"{dashboard_path}: only {len(exprs)} expressions found")
    variables = {v["name"]: v for v in dashboard.get("templating", {}).get("list", [])}
    for needed in ("model", "stage"):
        if needed not in variables:
            raise TestFailure(f"{dashboard_path}: no templating variable {needed!r}")

    # Two bindings: "All" (Grafana's allValue, a regex matching everything) and concrete values.
    bindings = [
        {"model": ".*", "stage": ".*"},
        {"model": re.escape(model), "stage": "analysis"},
    ]
    failures = []
    counts = {"non-empty": 0, "empty": 0}
    ttft_nonempty = []
    empty_titles = set()
    for values in bindings:
        queries = [(f"variable {n}", "-", label_values_to_promql(v["query"]))
                   for n, v in variables.items() if v.get("type") == "query"]
        for title, ref, raw in queries + exprs:
            expr = substitute(raw, values)
            status, doc = prom.query(expr)
            if status != 200 or doc.get("status") != "success":
                failures.append(f"{title} [{ref}] with {values}: {status} {doc.get('errorType')}: "
                                f"{doc.get('error')}\n    {expr}")
                continue
            result = doc["data"]["result"]
            counts["non-empty" if result else "empty"] += 1
            if not result:
                empty_titles.add(title)
            if "chimera_llm_time_to_first_token_seconds" in expr and "histogram_quantile" in expr:
                ttft_nonempty.append((title, bool(result)))
    log(f"dashboard: {len(exprs)} panel expressions + {len(variables)} variables x {len(bindings)} bindings; "
        f"results non-empty {counts['non-empty']}, empty {counts['empty']} (metrics not exposed yet, "
        f"or no errors to show): {sorted(empty_titles)}")
    if failures:
        raise TestFailure("dashboard queries failed:\n  " + "\n  ".join(failures))
    # The TTFT metric exists today, so its quantile panels must show data once runs have happened.
    empty = [t for t, ok in ttft_nonempty if not ok]
    if not ttft_nonempty or empty:
        raise TestFailure(f"TTFT quantile panels returned no data: {empty or 'none found'}")


def check_doc_queries(prom, doc_path):
    """The ```promql examples of docs/operations.md must run too (one query per non-comment line)."""
    with open(doc_path, encoding="utf-8") as f:
        blocks = re.findall(r"```promql\n(.*?)```", f.read(), re.S)
    queries = [line.strip() for b in blocks for line in b.splitlines()
               if line.strip() and not line.strip().startswith("#")]
    if not queries:
        raise TestFailure(f"{doc_path}: no ```promql examples found")
    for q in queries:
        status, doc = prom.query(q)
        if status != 200 or doc.get("status") != "success":
            raise TestFailure(f"{doc_path}: example query failed: {q}\n    {doc.get('error')}")
    log(f"docs: {len(queries)} example queries of {os.path.basename(doc_path)} run")


# ---------------------------------------------------------------------------------------------
# Rules


def check_rules(prom, alerts_path):
    with open(alerts_path, encoding="utf-8") as f:
        expected = set(re.findall(r"(?m)^\s*-\s*alert:\s*(\S+)\s*$", f.read()))

    def evaluated():
        doc = get_json(f"{prom.base}/api/v1/rules")
        rules = [r for g in doc["data"]["groups"] for r in g["rules"]]
        names = {r["name"] for r in rules}
        if names != expected:
            raise TestFailure(f"Prometheus loaded rules {sorted(names)}, alerts.yml has {sorted(expected)}")
        if any(r.get("health") == "unknown" for r in rules):
            return None
        return rules

    rules = poll("every alerting rule to be evaluated", RULES_TIMEOUT, evaluated, interval=0.2)
    bad = [f"{r['name']}: {r.get('health')} {r.get('lastError')}" for r in rules if r.get("health") != "ok"]
    if bad:
        raise TestFailure("alerting rules failed to evaluate:\n  " + "\n  ".join(bad))
    log(f"rules: {len(rules)} alerting rules evaluated without error; states "
        f"{sorted((r['name'], r.get('state')) for r in rules)}")


# ---------------------------------------------------------------------------------------------


def run(args, workdir):
    children = []
    try:
        sim = Child("ollama-sim", [args.sim, "--listen", "127.0.0.1:0", "--tokens", "24",
                                   "--tokens-per-second", "400", "--load-ms", str(args.load_ms)], workdir)
        children.append(sim)
        sim_addr = sim.wait_listening()

        chimera = Child("chimera", [args.chimera, "serve", "--listen", "127.0.0.1:0",
                                    "--ollama-url", f"http://{sim_addr}",
                                    "--data-root", os.path.join(args.source_dir, "tests", "data"),
                                    "--state-dir", os.path.join(workdir, "state")], workdir)
        children.append(chimera)
        chimera_addr = chimera.wait_listening()
        chimera_base = f"http://{chimera_addr}"

        # Prometheus first, so it scrapes before, during and after the runs.
        config = write_prometheus_config(args.source_dir, workdir, chimera_addr)
        prom_port = free_port()
        prom_proc = Child("prometheus", [args.prometheus, f"--config.file={config}",
                                         f"--storage.tsdb.path={os.path.join(workdir, 'tsdb')}",
                                         f"--web.listen-address=127.0.0.1:{prom_port}",
                                         "--log.level=warn"], workdir)
        children.append(prom_proc)
        prom = Prometheus(f"http://127.0.0.1:{prom_port}")

        def ready():
            if prom_proc.proc.poll() is not None:
                raise TestFailure(f"prometheus exited with {prom_proc.proc.returncode}\n{prom_proc.tail()}")
            try:
                return http("GET", f"{prom.base}/-/ready", timeout=2)[0] == 200
            except OSError:
                return False

        poll("Prometheus to become ready", START_TIMEOUT, ready)

        def target_up():
            doc = get_json(f"{prom.base}/api/v1/targets?state=active")
            t = doc["data"]["activeTargets"]
            return bool(t) and all(x["health"] == "up" for x in t)

        poll("the chimera scrape target to be up", SCRAPE_TIMEOUT, target_up)
        t_start = time.time()

        # A few runs in two batches, each submitted at once (2 workers by default) and polled to a
        # terminal status. After the first batch we wait until Prometheus has scraped its calls, so
        # the second batch's calls are guaranteed to be increases between scrapes: the rate()/
        # increase() form below then always has something to see, however fast the runs were.
        def scraped(n):
            def check():
                v = prom.value("sum(chimera_llm_time_to_first_token_seconds_count)")
                return v is not None and v == n
            poll(f"sum(chimera_llm_time_to_first_token_seconds_count) == {n}", SCRAPE_TIMEOUT, check)

        def run_batch(count, first):
            ids = []
            for i in range(first, first + count):
                status, text = http("POST", f"{chimera_base}/runs", {"data_dir": "tr109", "label": f"e2e {i}"})
                if status != 202:
                    raise TestFailure(f"POST /runs -> {status}: {text}")
                ids.append(json.loads(text)["id"])

            def all_terminal():
                docs = [get_json(f"{chimera_base}/runs/{i}") for i in ids]
                return docs if all(d["status"] in TERMINAL for d in docs) else None

            docs = poll(f"{len(ids)} runs to finish", RUNS_TIMEOUT, all_terminal, interval=0.2)
            bad = [(d["id"], d["status"], d.get("error")) for d in docs if d["status"] != "succeeded"]
            if bad:
                raise TestFailure(f"runs did not succeed: {bad}")
            return docs

        first_batch = max(1, args.runs // 2)
        docs = run_batch(first_batch, 0)
        scraped(2 * first_batch)
        docs += run_batch(args.runs - first_batch, first_batch)
        calls = [c for d in docs for c in d.get("calls", [])]
        model = docs[0]["model"]
        log(f"{len(docs)} runs succeeded; Chimera's TTFTs (ms): {sorted(round(c['ttft_ms'], 1) for c in calls)}")

        # 1. Prometheus has scraped every call: the TTFT count equals 2 calls per run.
        want = 2 * args.runs
        scraped(want)

        # 2, 3. TTFT against the simulator.
        stats = get_json(f"http://{sim_addr}/sim/stats")
        sim_ttfts = [r["ttft_ms"] / 1e3 for r in stats["requests"] if r.get("ttft_ms") is not None]
        if len(sim_ttfts) != want or len(stats["requests"]) != want:
            raise TestFailure(f"ollama-sim saw {len(stats['requests'])} requests ({len(sim_ttfts)} with a first "
                              f"token), expected exactly {want}: pairing Chimera's calls with the simulator's "
                              f"(the basis of the TTFT check) needs one request per call, no retries")
        metrics_status, metrics_text = http("GET", f"{chimera_base}/metrics")
        if metrics_status != 200:
            raise TestFailure(f"GET /metrics -> {metrics_status}")
        bounds = parse_buckets(metrics_text, "chimera_llm_time_to_first_token_seconds")
        if len(bounds) < 10:
            raise TestFailure(f"TTFT buckets not found in /metrics: {bounds}")
        check_ttft_quantile(prom, bounds, sim_ttfts)
        check_ttft_rate_form(prom, bounds, sim_ttfts, math.ceil(time.time() - t_start) + 5)

        # 4. promtool check metrics on our exposition.
        proc = subprocess.run([args.promtool, "check", "metrics"], input=metrics_text.encode(),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
        if proc.returncode != 0:
            raise TestFailure(f"promtool check metrics failed ({proc.returncode}):\n"
                              f"{proc.stdout.decode('utf-8', 'replace')}")
        log("promtool check metrics: clean")

        # 5. Every dashboard expression against this Prometheus.
        check_dashboard(prom, os.path.join(args.source_dir, "deploy", "grafana", "chimera-dashboard.json"), model)
        check_doc_queries(prom, os.path.join(args.source_dir, "docs", "operations.md"))

        # 6. The alerting rules evaluate on the real series without error.
        check_rules(prom, os.path.join(args.source_dir, "deploy", "prometheus", "alerts.yml"))
    except TestFailure:
        for c in children:
            log(f"{c.name} logs:\n{c.tail()}")
        raise
    finally:
        for c in reversed(children):
            c.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--chimera", required=True, help="path to the chimera binary")
    ap.add_argument("--sim", required=True, help="path to the ollama-sim binary")
    ap.add_argument("--prometheus", default=shutil.which("prometheus") or "/usr/bin/prometheus")
    ap.add_argument("--promtool", default=shutil.which("promtool") or "/usr/bin/promtool")
    ap.add_argument("--source-dir", required=True, help="the repository root")
    ap.add_argument("--runs", type=int, default=6)
    ap.add_argument("--load-ms", type=int, default=150, help="ollama-sim cold-load delay (first call only)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, TSDB)")
    args = ap.parse_args()
    args.source_dir = os.path.abspath(args.source_dir)
    if args.runs < 2:
        ap.error("--runs must be at least 2 (two batches)")
    for tool in (args.chimera, args.sim, args.prometheus, args.promtool):
        if not os.access(tool, os.X_OK):
            print(f"not executable: {tool} (Debian: apt-get install --no-install-recommends prometheus)",
                  file=sys.stderr)
            return 1

    started = time.monotonic()
    workdir = tempfile.mkdtemp(prefix="chimera-prom-e2e-")
    try:
        run(args, workdir)
    except TestFailure as e:
        print(f"FAIL: {e}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    log(f"PASS in {time.monotonic() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
