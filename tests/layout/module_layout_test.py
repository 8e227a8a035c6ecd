#!/usr/bin/env python3
"""The module map of docs/architecture.md, checked against the build (Python 3 stdlib only).

- Boundaries: for every pair of modules the map forbids, a probe file that includes a public header
  of the other module fails to preprocess with the first module's own compile flags (taken from
  compile_commands.json), because that header is not on its include path. So the build, not review,
  keeps `http` from reaching the store or `backend` from reaching the HTTP server.
- No Asio or Beast in core/ and in the store and telemetry modules (system headers are always on
  the include path, so this one is a scan of the sources).
- Every public header compiles on its own, without the precompiled header the build forces on the
  Asio modules: a header that forgets an include fails here.
- Every test folder is named after a module.

Usage: module_layout_test.py --source-dir REPO --build-dir BUILD
"""

import argparse
import concurrent.futures
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

CORE = ["text", "stats", "ingest", "llm", "run", "sweep"]
SERVICE = ["asio", "telemetry", "store", "http", "backend", "runs", "api", "app"]

# What each module may include besides itself (docs/architecture.md, "Module map").
ALL_CORE = {f"core/{m}" for m in CORE}
MAY_USE = {
    "core/text": set(),
    "core/stats": {"core/text"},
    "core/ingest": {"core/text"},
    "core/llm": {"core/text"},
    "core/run": {"core/text", "core/stats", "core/ingest", "core/llm"},
    "core/sweep": {"core/text", "core/stats", "core/ingest", "core/llm", "core/run"},
    "service/asio": set(),
    "service/telemetry": ALL_CORE,
    "service/store": ALL_CORE,
    "service/http": ALL_CORE | {"service/asio", "service/telemetry"},
    "service/backend": ALL_CORE | {"service/asio", "service/telemetry"},
    "service/runs": ALL_CORE | {"service/asio", "service/telemetry", "service/backend", "service/store"},
    "service/api": ALL_CORE | {"service/asio", "service/telemetry", "service/backend", "service/store",
                               "service/runs", "service/http"},
}
NO_ASIO = [f"core/{m}" for m in CORE] + ["service/telemetry", "service/store"]

failures = []


def fail(msg):
    failures.append(msg)


def public_headers(src, module):
    root = os.path.join(src, module, "include")
    out = []
    for base, _, names in os.walk(root):
        out += [os.path.relpath(os.path.join(base, n), root) for n in names if n.endswith(".hpp")]
    return sorted(out)


def module_flags(commands, src, module):
    """The compile flags of one of the module's own sources, without the output, the dependency
    file and the precompiled header."""
    prefix = os.path.join(src, module, "src") + os.sep
    for entry in commands:
        if entry["file"].startswith(prefix):
            args = shlex.split(entry["command"])
            out, skip = [], 0
            for i, a in enumerate(args[1:], start=1):
                if skip:
                    skip -= 1
                elif a in ("-o", "-c", "-MT", "-MF", "-include"):
                    skip = 1
                elif a == "-Xclang" and i + 1 < len(args) and args[i + 1] in ("-include", "-include-pch"):
                    skip = 3  # clang's form: -Xclang -include(-pch) -Xclang FILE
                elif a not in ("-MD", "-Winvalid-pch"):
                    out.append(a)
            return args[0], out
    return None, None


def run_probe(compiler, flags, text, mode):
    with tempfile.NamedTemporaryFile("w", suffix=".cpp", delete=False) as f:
        f.write(text)
        path = f.name
    try:
        proc = subprocess.run([compiler, *flags, mode, path, "-o", os.devnull], capture_output=True, text=True)
        return proc.returncode, proc.stderr
    finally:
        os.unlink(path)


def check_boundaries(commands, src):
    for module, allowed in MAY_USE.items():
        compiler, flags = module_flags(commands, src, module)
        if compiler is None:
            fail(f"{module}: no source of the module in compile_commands.json")
            continue
        for other in MAY_USE:
            if other == module or other in allowed:
                continue
            headers = public_headers(src, other)
            if not headers:
                continue
            code, err = run_probe(compiler, flags, f'#include "{headers[0]}"\n', "-E")
            if code == 0:
                fail(f"{module} can include {other}'s {headers[0]}, which the module map forbids")
            elif "No such file or directory" not in err and "file not found" not in err:  # GCC, clang
                fail(f"{module} probing {headers[0]} failed for another reason: {err.strip()[:300]}")
        own = public_headers(src, module)
        if own:  # the probe works: the module's own header is found with the same flags
            code, err = run_probe(compiler, flags, f'#include "{own[0]}"\n', "-E")
            if code != 0:
                fail(f"{module} cannot include its own {own[0]}: {err.strip()[:300]}")


def check_no_asio(src):
    pattern = re.compile(r'#\s*include\s*[<"]boost/(asio|beast)')
    for module in NO_ASIO:
        for base, _, names in os.walk(os.path.join(src, module)):
            for n in names:
                path = os.path.join(base, n)
                with open(path, encoding="utf-8") as f:
                    if pattern.search(f.read()):
                        fail(f"{os.path.relpath(path, src)} includes Asio or Beast; {module} must not")


def check_headers_alone(commands, src):
    jobs = []
    for module in list(MAY_USE) + ["service/app"]:
        compiler, flags = module_flags(commands, src, module)
        if compiler is None:
            continue
        for header in public_headers(src, module):
            jobs.append((module, header, compiler, flags))

    def compile_alone(job):
        module, header, compiler, flags = job
        return job, run_probe(compiler, flags, f'#include "{header}"\n', "-fsyntax-only")

    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for (module, header, _, _), (code, err) in pool.map(compile_alone, jobs):
            if code != 0:
                fail(f"{module}/include/{header} does not compile on its own: {err.strip()[:400]}")
    return len(jobs)


def check_test_folders(src):
    for side, modules in (("core", CORE), ("service", SERVICE)):
        root = os.path.join(src, "tests", side)
        for name in sorted(os.listdir(root)):
            if os.path.isdir(os.path.join(root, name)) and name not in modules:
                fail(f"tests/{side}/{name} is not named after a module of {side}/")
            if name.endswith("_test.cpp"):
                fail(f"tests/{side}/{name} is not in the folder of the module it tests")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--build-dir", required=True)
    args = parser.parse_args()
    src = os.path.abspath(args.source_dir)
    with open(os.path.join(args.build_dir, "compile_commands.json"), encoding="utf-8") as f:
        commands = json.load(f)
    check_boundaries(commands, src)
    check_no_asio(src)
    headers = check_headers_alone(commands, src)
    check_test_folders(src)
    for msg in failures:
        print("FAIL:", msg)
    print(f"{len(MAY_USE)} modules' boundaries, {headers} public headers compiled alone: "
          f"{'ok' if not failures else f'{len(failures)} failure(s)'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
