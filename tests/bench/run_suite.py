#!/usr/bin/env python3
"""Runs Chimera's benchmark suite and writes one Markdown table and one JSON file.

usage: tests/bench/run_suite.py [--build build] [--out build/bench] [--quick]
                                [--only client,load] [--check tests/bench/baseline.json]
                                [--update-baseline tests/bench/baseline.json]

Each script of SCRIPTS runs in turn, alone (figures taken while another script runs would
measure the other script), and writes its own JSON document (see benchlib.py). This
script merges them into OUT/results.json and OUT/results.md, marks each figure against
the issue's floor, and with --check compares every guarded figure with the committed
baseline: a figure worse than its baseline by more than its margin fails the suite.
Guarded figures are ratios, counts or sizes, never absolute times, so that a slower or
busier CI machine does not fail the guard; floors are reported, not enforced, because
they are this development machine's figures.
"""
import argparse
import datetime
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SCRIPTS = ["micro.py", "client_overhead.py", "load.py", "startup.py", "http_front.py", "replicas.py", "fleet.py"]
DEFAULT_MARGIN = 0.30


def git_commit():
    try:
        return subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def run_script(script, args):
    """Runs one benchmark script; returns its document, or a failure document."""
    out = os.path.join(args.out, script.replace(".py", ".json"))
    argv = [sys.executable, os.path.join(HERE, script), "--build", args.build, "--out", out]
    if args.quick:
        argv.append("--quick")
    started = time.monotonic()
    print(f"bench: {script} ...", file=sys.stderr, flush=True)
    proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          timeout=args.script_timeout)
    seconds = time.monotonic() - started
    print(f"bench: {script} exit {proc.returncode} in {seconds:.0f} s", file=sys.stderr, flush=True)
    if proc.returncode != 0 or not os.path.exists(out):
        return {"group": script, "command": " ".join(argv), "results": [], "seconds": seconds,
                "failed": f"exit {proc.returncode}: {proc.stderr.strip()[-2000:]}"}
    with open(out) as f:
        document = json.load(f)
    document["seconds"] = seconds
    return document


def floor_met(entry):
    floor = entry.get("floor")
    if not floor:
        return None
    if "max" in floor:
        return entry["value"] <= floor["max"]
    return entry["value"] >= floor["min"]


def floor_text(floor):
    if not floor:
        return ""
    return f"≤ {floor['max']:g}" if "max" in floor else f"≥ {floor['min']:g}"


def format_value(value):
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def guard_regressions(groups, baseline):
    """Guarded figures worse than the baseline by more than their margin, as messages."""
    figures = {f"{g['group']}.{r['id']}": r for g in groups for r in g["results"]}
    messages = []
    for key, expected in baseline["figures"].items():
        entry = figures.get(key)
        if entry is None:
            messages.append(f"{key}: missing from the results (baseline {expected['value']:g})")
            continue
        margin = expected.get("margin", baseline.get("margin", DEFAULT_MARGIN))
        better = entry.get("guard", {}).get("better", expected.get("better"))
        limit = expected["value"] * (1 - margin if better == "higher" else 1 + margin)
        worse = entry["value"] < limit if better == "higher" else entry["value"] > limit
        if worse:
            messages.append(f"{key}: {entry['value']:g} against baseline {expected['value']:g} "
                            f"({better} is better, margin {margin:.0%}: limit {limit:g})")
    return messages


def baseline_from(groups, margin):
    figures = {f"{g['group']}.{r['id']}": {"value": r["value"], "better": r["guard"]["better"]}
               for g in groups for r in g["results"] if "guard" in r}
    return {"margin": margin, "figures": figures}


def markdown(summary):
    lines = [f"# Benchmark suite — {summary['date']}, commit {summary['commit']}"
             f"{' (quick)' if summary['quick'] else ''}", "",
             f"Machine: {summary['machine']['cores']} cores, load average {summary['machine']['load_before']} "
             f"before, {summary['machine']['load_after']} after.", ""]
    for group in summary["groups"]:
        lines += [f"## {group['group']}", "", f"`{group['command']}` ({group['seconds']:.0f} s)", ""]
        if "failed" in group:
            lines += [f"**failed**: {group['failed']}", ""]
            continue
        lines += ["| figure | value | unit | floor | met | note |", "|---|---|---|---|---|---|"]
        for r in group["results"]:
            met = {None: "", True: "yes", False: "**no**"}[floor_met(r)]
            lines.append(f"| {r['label']} | {format_value(r['value'])} | {r['unit']} | "
                         f"{floor_text(r.get('floor'))} | {met} | {r.get('note', '')} |")
        lines.append("")
    if summary.get("guard") is not None:
        lines += ["## Regression guard", ""]
        lines += [f"- {m}" for m in summary["guard"]] or ["No guarded figure regressed."]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--out", default=None, help="directory for the results (default BUILD/bench)")
    parser.add_argument("--quick", action="store_true", help="the short version CI runs")
    parser.add_argument("--only", default="", help="comma-separated script names without .py")
    parser.add_argument("--check", metavar="BASELINE", help="fail when a guarded figure regressed")
    parser.add_argument("--update-baseline", metavar="BASELINE", help="write the guarded figures as baseline")
    parser.add_argument("--margin", type=float, default=DEFAULT_MARGIN, help="margin of a new baseline")
    parser.add_argument("--script-timeout", type=float, default=1800)
    args = parser.parse_args()
    args.build = os.path.abspath(args.build)
    args.out = os.path.abspath(args.out or os.path.join(args.build, "bench"))
    os.makedirs(args.out, exist_ok=True)
    only = set(filter(None, args.only.split(",")))
    scripts = [s for s in SCRIPTS if not only or s[:-3] in only]

    load_before = os.getloadavg()[0]
    groups = [run_script(script, args) for script in scripts]
    summary = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git_commit(), "quick": args.quick,
        "machine": {"cores": os.cpu_count(), "load_before": round(load_before, 2),
                    "load_after": round(os.getloadavg()[0], 2)},
        "groups": groups,
    }
    if args.check:
        with open(args.check) as f:
            summary["guard"] = guard_regressions(groups, json.load(f))
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(summary, f, indent=2)
    text = markdown(summary)
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write(text)
    print(text)
    if args.update_baseline:
        with open(args.update_baseline, "w") as f:
            json.dump(baseline_from(groups, args.margin), f, indent=2)
            f.write("\n")
    failed = [g["group"] for g in groups if "failed" in g]
    if failed:
        print(f"bench: failed: {', '.join(failed)}", file=sys.stderr)
    if summary.get("guard"):
        print("bench: regressions against the baseline:\n  " + "\n  ".join(summary["guard"]), file=sys.stderr)
    return 1 if failed or summary.get("guard") else 0


if __name__ == "__main__":
    sys.exit(main())
