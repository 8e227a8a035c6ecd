#!/usr/bin/env python3
"""Static checks of the observability files, no running service needed (Python 3 stdlib only).

- deploy/grafana/chimera-dashboard.json: parses; schemaVersion; unique panel ids; every target has a
  PromQL expr and the dashboard's datasource; templating variables `model` and `stage` from label_values;
  every panel expression's metric names are Chimera's documented metrics (a misspelt name would still
  "succeed" against Prometheus with an empty result, so the end-to-end test cannot catch it).
- deploy/prometheus/alerts.yml: the same metric-name check on every alert expression; each alert has
  severity, summary, description and for:.
- deploy/grafana/provisioning: the datasource points at http://prometheus:9090 with the uid the dashboard
  defaults to; the dashboard provider's path is where deploy/compose/compose.yaml mounts the dashboard.

Usage: static_checks_test.py --source-dir REPO
"""

import argparse
import json
import os
import re
import sys

# The metric set of issue 6, section 1 (docs/operations.md lists it with types and labels).
HISTOGRAMS = {
    "chimera_llm_time_to_first_token_seconds",
    "chimera_llm_inter_token_latency_seconds",
    "chimera_llm_generation_tokens_per_second",
    "chimera_llm_e2e_seconds",
    "chimera_llm_load_seconds",
    "chimera_llm_prompt_eval_seconds",
    "chimera_llm_eval_seconds",
    "chimera_run_stage_seconds",
    "chimera_http_request_duration_seconds",
}
OTHERS = {
    "chimera_llm_prompt_tokens_total",
    "chimera_llm_generation_tokens_total",
    "chimera_llm_requests_total",
    "chimera_llm_retries_total",  # {model,stage}: attempts repeated after a retryable failure
    "chimera_runs_total",
    "chimera_runs_queued",
    "chimera_runs_running",
    "chimera_runs_recovered_total",
    "chimera_ingest_files_total",
    "chimera_ingest_errors_total",
    "chimera_http_requests_total",
    "chimera_backend_connections_opened_total",
    "chimera_backend_connections_reused_total",
    "chimera_backend_requests_in_flight",
    "chimera_backend_up",
    "chimera_build_info",
    "process_resident_memory_bytes",
    "process_open_fds",
    "process_cpu_seconds_total",
    "process_start_time_seconds",
    "up",  # Prometheus's own per-target series
}
KNOWN = OTHERS | {h + s for h in HISTOGRAMS for s in ("_bucket", "_sum", "_count")}

# Words in PromQL that look like metric names but are functions, keywords or label names.
PROMQL_WORDS = {
    "sum", "min", "max", "avg", "count", "by", "without", "on", "ignoring", "group_left", "group_right",
    "and", "or", "unless", "rate", "increase", "irate", "delta", "deriv", "histogram_quantile", "time",
    "offset", "bool", "topk", "bottomk", "abs", "clamp_min", "clamp_max", "label_values", "vector",
    "scalar", "absent", "min_over_time", "max_over_time", "avg_over_time", "le", "model", "stage", "status",
    "outcome", "route", "code", "type", "instance", "job", "version", "commit", "inf", "nan",
}

failures = []


def fail(msg):
    failures.append(msg)


def metric_names(expr):
    """Identifiers in metric-name position: outside strings, {…} label matchers and by/on (…) lists."""
    e = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # strings
    e = re.sub(r"\{[^}]*\}", "{}", e)  # label matchers
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", e)
    e = re.sub(r"\[[^\]]*\]", "[]", e)  # range durations
    names = set()
    for m in re.finditer(r"(?<![\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?=[^\w(]|$)", e):
        word = m.group(1)
        if word.lower() in PROMQL_WORDS or re.fullmatch(r"\d+[smhdwy]", word):
            continue
        names.add(word)
    return names


def check_names(where, expr):
    unknown = sorted(n for n in metric_names(expr) if n not in KNOWN)
    if unknown:
        fail(f"{where}: unknown metric name(s) {unknown} in {expr!r}")


def check_dashboard(path):
    with open(path, encoding="utf-8") as f:
        d = json.load(f)
    if not 36 <= d.get("schemaVersion", 0) <= 41:
        fail(f"{path}: schemaVersion {d.get('schemaVersion')} (expected ~39)")
    if not d.get("uid") or not d.get("title"):
        fail(f"{path}: uid and title are required for provisioning")
    variables = {v["name"]: v for v in d.get("templating", {}).get("list", [])}
    for name in ("model", "stage"):
        v = variables.get(name)
        if not v or v.get("type") != "query" or not str(v.get("query", "")).startswith("label_values("):
            fail(f"{path}: variable {name!r} must be a label_values() query variable")
        else:
            check_names(f"variable {name}", re.sub(r"^label_values\((.*),\s*\w+\)$", r"\1", v["query"]))
    if variables.get("datasource", {}).get("type") != "datasource":
        fail(f"{path}: expected a 'datasource' variable of type datasource")

    ids, exprs = set(), 0
    wanted_titles = {"ttft": False, "tokens/s": False, "inter-token": False, "runs": False,
                     "queue": False, "outcome": False, "http latency": False, "memory": False}

    def walk(panels):
        nonlocal exprs
        for p in panels:
            if p.get("id") in ids:
                fail(f"{path}: duplicate panel id {p.get('id')}")
            ids.add(p.get("id"))
            if "gridPos" not in p:
                fail(f"{path}: panel {p.get('title')!r} has no gridPos")
            title = p.get("title", "").lower()
            for key in wanted_titles:
                if key in title:
                    wanted_titles[key] = True
            if p.get("type") != "row":
                if not p.get("targets"):
                    fail(f"{path}: panel {p.get('title')!r} has no targets")
                if p.get("datasource", {}).get("uid") != "${datasource}":
                    fail(f"{path}: panel {p.get('title')!r} does not use the ${{datasource}} variable")
            for t in p.get("targets", []):
                if not t.get("expr"):
                    fail(f"{path}: panel {p.get('title')!r} target {t.get('refId')} has no expr")
                    continue
                exprs += 1
                check_names(f"panel {p.get('title')!r}", t["expr"])
            walk(p.get("panels", []))

    walk(d.get("panels", []))
    missing = [k for k, ok in wanted_titles.items() if not ok]
    if missing:
        fail(f"{path}: no panel title mentions {missing}")
    return exprs


def check_alerts(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    # Split into rules at "- alert:"; each block's expr is the literal or block scalar after "expr:".
    blocks = re.split(r"(?m)^\s*- alert:\s*", text)[1:]
    if len(blocks) < 7:
        fail(f"{path}: only {len(blocks)} alerts")
    for b in blocks:
        name = b.split("\n", 1)[0].strip()
        m = re.search(r"(?ms)^\s*expr:\s*\|\s*\n(.*?)^\s*for:", b) or re.search(r"(?m)^\s*expr:\s*(.+)$", b)
        if not m:
            fail(f"{path}: {name}: no expr")
            continue
        check_names(f"alert {name}", m.group(1))
        for key in ("for:", "severity:", "summary:", "description:"):
            if key not in b:
                fail(f"{path}: {name}: no {key}")
    return len(blocks)


def check_provisioning(source_dir):
    ds = os.path.join(source_dir, "deploy", "grafana", "provisioning", "datasources", "prometheus.yaml")
    db = os.path.join(source_dir, "deploy", "grafana", "provisioning", "dashboards", "chimera.yaml")
    compose = os.path.join(source_dir, "deploy", "compose", "compose.yaml")
    with open(ds, encoding="utf-8") as f:
        t = f.read()
    if not re.search(r"(?m)^\s*url:\s*http://prometheus:9090\s*$", t):
        fail(f"{ds}: datasource url must be http://prometheus:9090")
    if not re.search(r"(?m)^\s*uid:\s*prometheus\s*$", t) or not re.search(r"(?m)^\s*type:\s*prometheus\s*$", t):
        fail(f"{ds}: expected uid: prometheus, type: prometheus")
    with open(db, encoding="utf-8") as f:
        t = f.read()
    m = re.search(r"(?m)^\s*path:\s*(\S+)\s*$", t)
    with open(compose, encoding="utf-8") as f:
        c = f.read()
    if not m:
        fail(f"{db}: no options.path")
    elif f"../grafana/chimera-dashboard.json:{m.group(1)}/" not in c:
        fail(f"{compose}: does not mount ../grafana/chimera-dashboard.json under {m.group(1)}")
    if "../grafana/provisioning:/etc/grafana/provisioning" not in c:
        fail(f"{compose}: does not mount ../grafana/provisioning at /etc/grafana/provisioning")
    if "../prometheus/alerts.yml:" not in c:
        fail(f"{compose}: does not mount ./prometheus/alerts.yml")


def self_test():
    got = metric_names('histogram_quantile(0.95, sum by (model, le) (rate(chimera_llm_e2e_seconds_bucket'
                       '{model=~"$model", job="x"}[$__rate_interval]))) > 2 and on (job) up == 0')
    assert got == {"chimera_llm_e2e_seconds_bucket", "up"}, got
    assert metric_names("process_resident_memory_bytes > 150 * 1024 * 1024") == {"process_resident_memory_bytes"}
    assert metric_names("time() - process_start_time_seconds") == {"process_start_time_seconds"}
    assert metric_names("chimera_typo_total") == {"chimera_typo_total"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source-dir", required=True)
    args = ap.parse_args()
    self_test()
    n_exprs = check_dashboard(os.path.join(args.source_dir, "deploy", "grafana", "chimera-dashboard.json"))
    n_alerts = check_alerts(os.path.join(args.source_dir, "deploy", "prometheus", "alerts.yml"))
    check_provisioning(args.source_dir)
    if failures:
        print("FAIL:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    print(f"static checks: {n_exprs} dashboard expressions, {n_alerts} alerts, provisioning: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
