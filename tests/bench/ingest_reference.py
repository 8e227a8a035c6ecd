#!/usr/bin/python3
"""Times the reference Python agent's ingestion method on a tree: every .csv read with
pandas.read_csv, every .json with json.load, every .md read whole and its '#' lines counted,
one file after another. The comparison figure for `ingest_bench` (docs/benchmarks.md, "Ingestion").

usage: ingest_reference.py DIR [--repeat N]   (prints one JSON line per pass; the last is warm)
Needs pandas (Debian: apt-get install python3-pandas).
"""
import argparse
import json
import os
import resource
import time

import pandas


def ingest(root):
    files = errors = headings = rows = 0
    for directory, subdirs, names in os.walk(root):
        subdirs.sort()
        for name in sorted(names):
            path = os.path.join(directory, name)
            extension = os.path.splitext(name)[1].lower()
            if extension not in (".csv", ".json", ".md"):
                continue
            try:
                if extension == ".csv":
                    rows += len(pandas.read_csv(path))
                elif extension == ".json":
                    with open(path, encoding="utf-8") as f:
                        json.load(f)
                else:
                    with open(path, encoding="utf-8") as f:
                        headings += sum(1 for line in f if line.startswith("#"))
                files += 1
            except Exception:  # the reference agents log and skip a file they can't parse
                errors += 1
    return files, errors, rows, headings


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    for _ in range(args.repeat):
        start = time.perf_counter()
        files, errors, rows, headings = ingest(args.root)
        seconds = time.perf_counter() - start
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"files": files, "errors": errors, "csv_rows": rows, "hash_lines": headings,
                          "seconds": round(seconds, 4), "files_per_second": round((files + errors) / seconds),
                          "peak_rss_mb": round(peak_mb, 1)}))


if __name__ == "__main__":
    main()
