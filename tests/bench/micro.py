#!/usr/bin/env python3
"""Micro-benchmarks (group "micro"): runs the Google Benchmark binaries of tests/bench with
--benchmark_format=json and turns them into the suite's results.

What is measured, each by its own binary (sources in tests/bench):
  ndjson_decode_bench      one Ollama token line through the stream decoder (fast path) and
                           through the nlohmann document it falls back to; heap allocations per line;
                           the same for the final line (its `context` of 1,500 ids)
  sse_decode_bench         one OpenAI-compatible token chunk (vLLM's chat chunk in its SSE event)
                           through the stream decoder (fast path) and through the nlohmann document
                           it falls back to; heap allocations per chunk
  chunked_decode_bench     a whole 1,000-token response through Beast's chunked parser, the
                           decoder and the text assembly, as the service's client does it, per token,
                           with one socket read per token and with 20 (coalesced reads)
  ingest_bench             the reference corpus; mixed trees of 10^2..10^5 generated files, per file
                           and per MB at each size (one thread: the cost, not the parallelism);
                           CSV, JSON and Markdown alone, per MB
  report_render_bench      report.md, agent_report.md and the run document JSON of a realistic run
  metrics_serialize_bench  the /metrics text with every series of the service populated
  fleet_routing_bench      a fleet's routing decision (backend_fleet::reserve + release) over 8
                           backends, no network: a free stream; every stream held and 100 or
                           1,000 runs waiting (release, wake, route, take, wait again)

Full run: three repetitions of each benchmark, medians reported. --quick: one short repetition
(--benchmark_min_time=0.1) and trees only up to 10^4 files. Guards (CI) only on figures that do
not depend on the machine's speed: allocations per token, the fast paths' speed-up over the
document, and how the per-file ingest cost grows from 10^2 to 10^4 files.
"""
import argparse
import json
import os
import re
import subprocess
import sys

import benchlib

TREE_SIZES = (100, 1000, 10_000, 100_000)
LINEAR_WITHIN = 1.5  # per-file cost at the largest tree within this factor of the smallest's
# Seconds per benchmark with --quick: 0.01 left the first benchmarks of a binary cold (the
# fast path's speed-up read 6 instead of 9), too noisy for a guard; the quick run still
# takes a few seconds.
QUICK_MIN_TIME = 0.1


def run_binary_in_processes(build, name, quick, processes):
    """run_binary in `processes` separate processes; each benchmark's entry is the one with the
    median CPU time. For guarded figures: the 120-ns fast path runs at one speed in one process
    and at another in the next (code and buffer placement), so that the document decode read
    anywhere from 6.8 to 11 times slower in single --quick runs, and repetitions within one
    process did not help."""
    runs = [run_binary(build, name, quick) for _ in range(processes)]
    return {key: sorted((run[key] for run in runs), key=lambda e: e["cpu_time"])[processes // 2]
            for key in runs[0]}


def run_binary(build, name, quick, benchmark_filter=None):
    """Runs one benchmark binary; returns {name: benchmark entry}, medians when repeated. Names
    drop the /iterations:N and /real_time suffixes: "ingest_tree/files:100/threads:1"."""
    argv = [os.path.join(build, "bin", name), "--benchmark_format=json"]
    argv += [f"--benchmark_min_time={QUICK_MIN_TIME}"] if quick else \
        ["--benchmark_repetitions=3", "--benchmark_report_aggregates_only=true"]
    if benchmark_filter:
        argv.append(f"--benchmark_filter={benchmark_filter}")
    done = subprocess.run(argv, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{name} exited with {done.returncode}")
    entries = {}
    for entry in json.loads(done.stdout)["benchmarks"]:
        if entry.get("error_occurred"):
            raise SystemExit(f"{name}: {entry['name']}: {entry.get('error_message')}")
        if entry.get("run_type") == "aggregate" and entry.get("aggregate_name") != "median":
            continue
        entries[re.sub(r"/(iterations:\d+|real_time)", "", entry["run_name"])] = entry
    return entries


def ns(entry, clock="cpu_time"):
    """The entry's time per iteration in nanoseconds. By default the CPU time of the
    benchmark's thread (user + system), which does all the work of every benchmark here but
    the multi-threaded ingests: on a shared machine it is what the work costs, where wall time
    also holds the waits for a core. Wall time ("real_time") for the multi-threaded ones."""
    scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[entry["time_unit"]]
    return entry[clock] * scale


def per_item_ns(entry):
    """Google Benchmark's items/s are per CPU second unless the benchmark uses real time."""
    return 1e9 / entry["items_per_second"]


def decode_results(build, quick):
    lines = run_binary_in_processes(build, "ndjson_decode_bench", quick, processes=5 if quick else 1)
    fast, dom = lines["decode_token_lines"], lines["decode_token_lines_with_dom"]
    final, final_dom = lines["decode_final_line"], lines["decode_final_line_with_dom"]
    sse = run_binary(build, "sse_decode_bench", quick)
    sse_fast, sse_dom = sse["decode_token_chunks"], sse["decode_token_chunks_with_dom"]
    chunked = run_binary(build, "chunked_decode_bench", quick)
    slow_stream = chunked["decode_chunked_stream/tokens_per_read:1"]
    coalesced = chunked["decode_chunked_stream/tokens_per_read:20"]
    return [
        benchlib.result("ndjson_token_line_ns", "NDJSON decode per token line (fast path)",
                        round(per_item_ns(fast), 1), "ns"),
        benchlib.result("ndjson_token_line_dom_ns", "NDJSON decode per token line through a JSON document",
                        round(per_item_ns(dom), 1), "ns"),
        benchlib.result("ndjson_fast_path_speedup", "token line: document decode time / fast path time",
                        round(per_item_ns(dom) / per_item_ns(fast), 2), "ratio", better="higher"),
        benchlib.result("ndjson_allocs_per_token", "heap allocations per token line decoded",
                        round(fast["allocs_per_token"], 3), "count", better="lower"),
        benchlib.result("ndjson_final_line_us", "NDJSON decode of the final line (1,500 context ids)",
                        round(ns(final) / 1e3, 2), "µs"),
        benchlib.result("ndjson_final_line_speedup", "final line: document decode time / fast path time",
                        round(ns(final_dom) / ns(final), 2), "ratio", better="higher"),
        benchlib.result("sse_token_chunk_ns", "SSE decode per OpenAI-compatible token chunk (fast path)",
                        round(per_item_ns(sse_fast), 1), "ns", note="vLLM's chat chunk, one event per feed"),
        benchlib.result("sse_token_chunk_dom_ns", "the chunk's data through a JSON document",
                        round(per_item_ns(sse_dom), 1), "ns"),
        benchlib.result("sse_allocs_per_token", "heap allocations per token chunk decoded",
                        round(sse_fast["allocs_per_token"], 3), "count"),
        benchlib.result("chunked_decode_ns_per_token", "chunked + NDJSON decode and assembly per token, "
                        "one socket read per token", round(per_item_ns(slow_stream), 1), "ns",
                        note="1,000-token stream with its final line (1,500 context ids)"),
        benchlib.result("chunked_decode_ns_per_token_coalesced", "the same, 20 tokens per socket read",
                        round(per_item_ns(coalesced), 1), "ns"),
        benchlib.result("chunked_decode_allocs_per_token", "heap allocations per token, chunked decode "
                        "and assembly (one read per token)", round(slow_stream["allocs_per_token"], 3),
                        "count", better="lower"),
    ]


def tree_results(entries, sizes):
    """Per-file and per-MB cost at each tree size (one thread), and whether it grows linearly."""
    results, per_file = [], {}
    for files in sizes:
        entry = entries[f"ingest_tree/files:{files}/threads:1"]
        per_file[files] = ns(entry) / entry["files"] / 1e3
        ms_per_mb = ns(entry) / 1e6 / (entry["bytes"] / 1e6)
        results.append(benchlib.result(f"ingest_tree_{files}_us_per_file", f"ingest of {files:,} mixed files, "
                                       "per file (1 thread)", round(per_file[files], 2), "µs",
                                       note=f"{ms_per_mb:.1f} ms per MB; {ns(entry) / 1e6:.1f} ms in all"))
        parallel = entries[f"ingest_tree/files:{files}/threads:0"]
        results.append(benchlib.result(f"ingest_tree_{files}_files_per_s", f"ingest of {files:,} mixed files, "
                                       "files/s (a worker per core, as runs do)",
                                       round(parallel["items_per_second"]), "files/s"))
    largest = max(sizes)
    for files in sorted({10_000, largest}):
        growth = per_file[files] / per_file[100]
        note = None
        if files == largest:
            verdict = "linear" if 1 / LINEAR_WITHIN <= growth <= LINEAR_WITHIN else "not linear"
            note = f"{verdict}: per-file cost within x{LINEAR_WITHIN} from 100 to {largest:,} files"
        results.append(benchlib.result(f"ingest_per_file_growth_{files}_vs_100", f"per-file ingest cost at "
                                       f"{files:,} files / at 100", round(growth, 2), "ratio",
                                       better="lower" if files == 10_000 else None, note=note))
    peak = entries[f"ingest_tree/files:{largest}/threads:0"]["peak_rss_MB"]
    results.append(benchlib.result("ingest_peak_rss_mb", f"peak RSS of the benchmark process "
                                   f"ingesting {largest:,} files", round(peak, 1), "MB"))
    return results


def ingest_results(build, quick):
    sizes = TREE_SIZES[:3] if quick else TREE_SIZES
    size_filter = "|".join(f"files:{files}/" for files in sizes)
    entries = run_binary(build, "ingest_bench", quick, f"ingest_tr109|ingest_tree/({size_filter})|ingest_[cjm]")
    results = [benchlib.result("ingest_tr109_ms", "ingest of the reference corpus (101 files, 429 KB)",
                               round(ns(entries["ingest_tr109/0"], "real_time") / 1e6, 2), "ms",
                               note="a worker per core, wall time")]
    for kind in ("csv", "json", "markdown"):
        entry = entries[f"ingest_{kind}"]
        ms_per_mb = ns(entry) / 1e6 / (entry["bytes"] / 1e6)
        results.append(benchlib.result(f"ingest_{kind}_ms_per_mb", f"{kind} ingest per MB (16 files of "
                                       "256 KiB, 1 thread)", round(ms_per_mb, 2), "ms",
                                       note=f"{1e3 / ms_per_mb:.0f} MB/s of CPU time"))
    return results + tree_results(entries, sizes)


def render_results(build, quick):
    entries = run_binary(build, "report_render_bench", quick)
    labels = {"render_report_md": "render report.md (model report under its header)",
              "render_agent_report_md": "render agent_report.md (a tr109 run, two calls)",
              "render_run_document_json": "run document JSON (GET /runs/{id}) of the same run"}
    return [benchlib.result(f"{name}_us", label, round(ns(entries[name]) / 1e3, 1), "µs")
            for name, label in labels.items()]


def metrics_results(build, quick):
    entry = run_binary(build, "metrics_serialize_bench", quick)["serialize_metrics"]
    return [benchlib.result("metrics_serialize_ms", "/metrics text, every series populated (serialisation only)",
                            round(ns(entry) / 1e6, 3), "ms", floor={"max": 5},
                            note=f"{entry['bytes'] / 1e3:.0f} KB of text; the floor is the whole scrape's")]


def fleet_results(build, quick):
    entries = run_binary(build, "fleet_routing_bench", quick)
    free = entries["route_free_stream"]
    results = [benchlib.result("fleet_route_free_stream_ns", "fleet routing: reserve + release of a free stream "
                               "(8 backends)", round(ns(free), 1), "ns", floor={"max": 10_000})]
    for waiting in (100, 1000):
        entry = entries[f"route_with_waiters/{waiting}"]
        results.append(benchlib.result(f"fleet_route_{waiting}_waiting_ns", f"fleet routing per call with every "
                                       f"stream held (32) and {waiting:,} runs waiting", round(ns(entry), 1), "ns",
                                       floor={"max": 10_000},
                                       note="a release wakes a run, which routes, takes the stream, waits again"))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default=os.path.join(benchlib.ROOT, "build"))
    parser.add_argument("--quick", action="store_true", help="short version for CI (trees up to 10^4 files)")
    parser.add_argument("--out", help="write the results document here")
    args = parser.parse_args()
    print(f"load average: {os.getloadavg()}", file=sys.stderr)
    results = []
    for part in (decode_results, ingest_results, render_results, metrics_results, fleet_results):
        results += part(args.build, args.quick)
    command = "tests/bench/micro.py" + (" --quick" if args.quick else "")
    benchlib.write(args.out, "micro", command, results)


if __name__ == "__main__":
    main()
