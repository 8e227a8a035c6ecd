#!/usr/bin/env python3
"""`chimera probe URL`, the image's health check, against a real `chimera serve`: 200 -> exit 0 with one
line on stdout; a closed port, a 404 and a listener that never answers -> exit 1 with one line on
stderr saying which; a bad URL -> exit 2. The probe waits on one thread (it runs every 10 s in a
container): its thread count is read while it waits. Python 3 stdlib only.

CHIMERA_BIN, when set, replaces --chimera (test.sh's sanitizer pass).

Usage: probe_test.py --chimera BIN
"""

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

TIMEOUT_S = 60

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def start_serve(chimera, state_dir):
    # Nothing listens on port 1: /healthz never asks the backend.
    process = subprocess.Popen([chimera, "serve", "--listen", "127.0.0.1:0", "--state-dir", state_dir,
                                "--ollama-url", "http://127.0.0.1:1", "--log-level", "error"],
                               stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    match = re.search(r"listening on [\d.]+:(\d+)", line)
    if not match:
        process.kill()
        raise RuntimeError(f"chimera serve did not announce its port: {line!r}")
    return process, int(match.group(1))


def probe(chimera, *args):
    done = subprocess.run([chimera, "probe", *args], capture_output=True, text=True, timeout=TIMEOUT_S)
    return done.returncode, done.stdout, done.stderr


def expect(chimera, args, status, stream, pattern):
    code, out, err = probe(chimera, *args)
    said = out if stream == "stdout" else err
    other = err if stream == "stdout" else out
    what = f"probe {' '.join(args)}: exit {code}, stdout {out!r}, stderr {err!r}"
    check(code == status, f"{what}: expected exit {status}")
    check(said.count("\n") == 1 and re.search(pattern, said), f"{what}: expected one line on {stream} matching {pattern}")
    check(other == "", f"{what}: expected nothing on the other stream")


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def threads_of(pid):
    with open(f"/proc/{pid}/status") as status:
        return int(re.search(r"^Threads:\s+(\d+)", status.read(), re.M).group(1))


def check_silent_listener(chimera):
    """A listener that accepts (in the kernel's backlog) and never answers: the probe times out, and
    waits on its one thread meanwhile."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/healthz"
        process = subprocess.Popen([chimera, "probe", url, "--timeout", "3s"], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        connection, _ = silent.accept()  # the probe has connected: it is waiting for the response now
        connection.recv(1024)  # and has sent its request
        check(threads_of(process.pid) == 1, f"probe runs {threads_of(process.pid)} threads, expected 1")
        out, err = process.communicate(timeout=TIMEOUT_S)
        connection.close()
    check(process.returncode == 1 and "timed out waiting for the response" in err and out == "",
          f"silent listener: exit {process.returncode}, stdout {out!r}, stderr {err!r}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--chimera", required=True)
    args = parser.parse_args()
    chimera = os.environ.get("CHIMERA_BIN", args.chimera)
    with tempfile.TemporaryDirectory() as state:
        serve, port = start_serve(chimera, state)
        try:
            expect(chimera, [f"http://127.0.0.1:{port}/healthz"], 0, "stdout", r"-> 200 OK \(")
            expect(chimera, [f"http://localhost:{port}/healthz", "--timeout", "5s"], 0, "stdout", r"-> 200 OK")
            expect(chimera, [f"http://127.0.0.1:{port}/runs/no-such-run"], 1, "stderr", r"-> 404 ")
        finally:
            serve.terminate()
            serve.wait(TIMEOUT_S)
    expect(chimera, [f"http://127.0.0.1:{closed_port()}/healthz"], 1, "stderr", r"cannot connect: Connection refused")
    check_silent_listener(chimera)
    expect(chimera, ["ftp://127.0.0.1/healthz"], 2, "stderr", r"probe needs a URL like")
    expect(chimera, ["--timeout", "1s"], 2, "stderr", r"probe needs a URL")
    code, out, _ = probe(chimera, "--help")
    check(code == 0 and "usage: chimera probe URL" in out, f"probe --help: exit {code}, {out!r}")
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    print(f"probe_test: {'FAILED' if failures else 'OK'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
