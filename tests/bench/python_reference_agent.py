#!/usr/bin/python3
"""The seed report's Python reference agent (TR109), re-implemented compactly from the method
the report describes (sections 2.2, 2.4, 3.1, 3.3) so that Chimera can be measured side by side
with it against the same ollama-sim. This is our re-implementation, not the seed's code.

One run, as the report describes it: scan the data directory recursively and parse every .csv
(the csv module), .json (json.load) and .md file (read whole; headings and tables counted) into
a data summary; a streamed analysis call to /api/generate with httpx.AsyncClient under asyncio;
parse the analysis into summary, findings and recommendations; a streamed report call; write
the report and the metrics. The prompts are Chimera's (core/llm/src/prompts.cpp), so that both
clients send the simulator the same amount of work.

TTFT is the time from sending the request to the first chunk with a non-empty "response"
(stream_ms: to the final chunk); tokens/s is the final chunk's eval_count / eval_duration. One AsyncClient serves the whole
process, so its keep-alive connection is reused by every call, as Chimera does. The seed's
snippet opens a client per call, which would only add to the Python side's figures.

Prints "ready" once the imports are done and the client exists (start-up is timed from
outside), then one JSON line per call. Needs Debian's /usr/bin/python3 with python3-httpx. The
seed names its agent's dependencies as httpx, asyncio and pydantic; CSV is read with the standard
library rather than pandas, which would add ~0.5 s of import and ~40 MB to the Python side.

usage: python_reference_agent.py --data-dir DIR --ollama-url URL [--runs N] [--model M]
                                 [--num-predict N] [--output-dir DIR]
"""
import argparse
import asyncio
import csv
import itertools
import json
import os
import re
import time

import httpx

FIRST_FILES = 5  # file names listed per type in the summary, as Chimera does
METRIC_LINES = 30
METRIC_KEY = re.compile(r"tok|ttft|latency|throughput|duration", re.IGNORECASE)
# Chimera's bounds on a parsed analysis (core/llm/src/analysis.cpp): without them a long analysis
# would make the report prompt, and so the simulator's work, differ between the two clients.
MAX_ITEMS, MAX_ITEM_CHARS, MAX_SUMMARY_CHARS = 20, 500, 2000
SECTION_WORDS = (("recommend", "recommendations"), ("finding", "findings"), ("summary", "summary"))


def numeric_leaves(value, key=""):
    """(key, number) for every number in a JSON document, the innermost key naming it."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from numeric_leaves(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from numeric_leaves(v, key)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield key, value


def ingest(root):
    """Every benchmark file under root, parsed one after another, into counts and metrics."""
    found = {".csv": [], ".json": [], ".md": []}
    stats = {"bytes": 0, "rows": 0, "headings": 0, "tables": 0, "latest": 0.0, "metrics": [], "errors": []}
    for directory, subdirs, names in os.walk(root):
        subdirs.sort()
        for name in sorted(names):
            path = os.path.join(directory, name)
            extension = os.path.splitext(name)[1].lower()
            if extension not in found:
                continue
            relative = os.path.relpath(path, root)
            try:
                metrics = parse_file(path, extension, stats)
            except Exception as error:  # the reference agents log and skip a file they can't parse
                stats["errors"].append(f"{relative}: {error}")
                continue
            found[extension].append(relative)
            stats["metrics"].append([(relative, k, v) for k, v in metrics if METRIC_KEY.search(k)])
            stats["bytes"] += os.path.getsize(path)
            stats["latest"] = max(stats["latest"], os.path.getmtime(path))
    return found, stats


def as_number(item):
    """(column, float) when a CSV cell is numeric, else (column, None)."""
    column, text = item
    try:
        return column, float(text)
    except (TypeError, ValueError):
        return column, None


def parse_file(path, extension, stats):
    if extension == ".csv":
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        stats["rows"] += len(rows)
        return [(column, number) for column, number in map(as_number, rows[0].items()) if number is not None] \
            if rows else []
    with open(path, encoding="utf-8") as f:
        if extension == ".json":
            return list(numeric_leaves(json.load(f)))
        lines = f.read().splitlines()
    stats["headings"] += sum(line.startswith("#") for line in lines)
    stats["tables"] += sum(line.startswith("|") and set(lines[i + 1]) <= set("|-: ")
                           for i, line in enumerate(lines[:-1]))
    return []


def data_summary(found, stats):
    """The data summary of the prompts, in the shape of Chimera's render_data_summary."""
    files = sum(map(len, found.values()))
    out = [f"Total files analysed: {files} ({stats['bytes']} bytes)", ""]
    details = {".csv": ("CSV", f", {stats['rows']} data rows"), ".json": ("JSON", ""),
               ".md": ("Markdown", f", {stats['headings']} headings, {stats['tables']} tables")}
    for extension, names in found.items():
        label, detail = details[extension]
        out.append(f"{label} files ({len(names)}{detail}):")
        out += [f"  - {name}" for name in names[:FIRST_FILES]]
        if len(names) > FIRST_FILES:
            out.append(f"  ... and {len(names) - FIRST_FILES} more")
    out.append("Latest modified: " + time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stats["latest"])))
    if stats["errors"]:
        out += ["", f"Files not ingested ({len(stats['errors'])}):"] + [f"  - {e}" for e in stats["errors"][:5]]
    picked = list(itertools.islice(round_robin(stats["metrics"]), METRIC_LINES))
    harvested = sum(map(len, stats["metrics"]))
    out += ["", f"Performance metrics ({len(picked)} of {harvested} harvested):"]
    out += [f"- {file}: {key} = {value:.6g}" for file, key, value in picked]
    return "\n".join(out) + "\n"


def round_robin(per_file):
    """Each file's first metric, then each file's second, ...: the first few files can't fill the list."""
    for i in range(max(map(len, per_file), default=0)):
        yield from (metrics[i] for metrics in per_file if i < len(metrics))


def analysis_prompt(summary):
    return ("You are a performance analysis expert. Analyse the following LLM inference benchmark data "
            "(throughput in tokens per second, time to first token, latency) and provide insights.\n\n"
            "Benchmark Data Summary:\n" + summary +
            "\nAnswer in Markdown with exactly these three sections, in this order, and nothing else:\n\n"
            "## Summary\nOne paragraph: what the data covers and the headline result.\n\n"
            "## Key Findings\n- One bullet per finding, citing the numbers from the data summary.\n\n"
            "## Recommendations\n- One bullet per concrete optimisation, most important first.\n\n"
            "Use only figures that appear in the data summary above; if the data is empty or unusable, say so.\n")


def report_prompt(analysis, summary):
    def numbered(items):
        return "".join(f"{i}. {item}\n" for i, item in enumerate(items, 1)) or "None provided\n"
    return ("Generate a comprehensive technical report in the style of Technical Report 108.\n\n"
            f"Analysis Results:\n- Summary: {analysis['summary'] or 'None provided'}\n"
            f"- Key Findings:\n{numbered(analysis['findings'])}"
            f"- Recommendations:\n{numbered(analysis['recommendations'])}"
            "\nBenchmark Data Summary:\n" + summary +
            "\nCreate a professional Markdown technical report with the following structure:\n"
            "1. Executive Summary\n2. Data Ingestion Summary\n3. Performance Analysis\n4. Key Findings\n"
            "5. Recommendations\n6. Appendix\n\n"
            "Use Markdown headings and tables, and include specific metrics and data points from the data above.\n")


def parse_analysis(text):
    """Summary paragraph, findings and recommendations from the three Markdown sections."""
    sections = {"summary": [], "findings": [], "recommendations": []}
    current = None
    for line in text.splitlines():
        if line.startswith("#"):
            title = line.lower()
            current = next((name for word, name in SECTION_WORDS if word in title), None)
        elif current and line.strip():
            sections[current].append(re.sub(r"^\s*(?:[-*]|\d+\.)\s+", "", line).strip())
    return {"summary": " ".join(sections["summary"])[:MAX_SUMMARY_CHARS],
            "findings": [item[:MAX_ITEM_CHARS] for item in sections["findings"][:MAX_ITEMS]],
            "recommendations": [item[:MAX_ITEM_CHARS] for item in sections["recommendations"][:MAX_ITEMS]]}


async def generate(client, url, model, prompt, options, stage):
    """One streamed /api/generate call: the text and the call's metrics."""
    body = {"model": model, "prompt": prompt, "stream": True, "options": options}
    parts = []
    ttft = stream = final = None
    started = time.perf_counter()
    async with client.stream("POST", f"{url}/api/generate", json=body) as response:
        response.raise_for_status()
        async for line in response.aiter_lines():
            if not line:
                continue
            chunk = json.loads(line)
            if "error" in chunk:
                raise RuntimeError(chunk["error"])
            if chunk.get("response"):
                if ttft is None:
                    ttft = time.perf_counter() - started
                parts.append(chunk["response"])
            if chunk.get("done"):
                stream, final = time.perf_counter() - started, chunk
    if final is None:
        raise RuntimeError("stream ended without its final chunk")
    eval_s = final["eval_duration"] / 1e9
    return "".join(parts), {
        "stage": stage, "ttft_ms": (stream if ttft is None else ttft) * 1e3, "stream_ms": stream * 1e3,
        "tokens_generated": final["eval_count"], "eval_duration_ns": final["eval_duration"],
        "prompt_tokens": final.get("prompt_eval_count", 0),
        "tokens_per_second": final["eval_count"] / eval_s if eval_s else 0.0}


async def run_once(client, args, index):
    started = time.perf_counter()
    summary = data_summary(*ingest(args.data_dir))
    options = {"num_predict": args.num_predict} if args.num_predict else {}
    analysis_text, analysis_call = await generate(client, args.ollama_url, args.model,
                                                  analysis_prompt(summary), options, "analysis")
    report, report_call = await generate(client, args.ollama_url, args.model,
                                         report_prompt(parse_analysis(analysis_text), summary), options, "report")
    calls = [analysis_call, report_call]
    for call in calls:
        print(json.dumps(dict(call, run=index)), flush=True)
    if args.output_dir:
        directory = os.path.join(args.output_dir, f"run_{index}")
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, "report.md"), "w", encoding="utf-8") as out:
            out.write(report)
        with open(os.path.join(directory, "metrics.json"), "w", encoding="utf-8") as out:
            json.dump({"calls": calls, "seconds": time.perf_counter() - started}, out, indent=2)


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--ollama-url", default="http://127.0.0.1:11434")
    parser.add_argument("--model", default="gemma3:latest")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--num-predict", type=int, default=0, help="options.num_predict; 0 leaves it out")
    parser.add_argument("--output-dir")
    args = parser.parse_args()
    async with httpx.AsyncClient(timeout=300) as client:
        print("ready", flush=True)
        for index in range(1, args.runs + 1):
            await run_once(client, args, index)


if __name__ == "__main__":
    asyncio.run(main())
