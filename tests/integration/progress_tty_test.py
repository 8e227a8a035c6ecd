#!/usr/bin/env python3
"""`chimera run --runs N` on a terminal: its progress line is redrawn in place (carriage return and
erase-line), fits the terminal's width, and ends with a line feed before the summary. Runs chimera
with stderr on a pseudo-terminal of a known size, against ollama-sim (Python 3 stdlib only).

CHIMERA_BIN, when set, replaces --chimera (test.sh's sanitizer pass).

Usage: progress_tty_test.py --chimera BIN --sim BIN --data-dir tests/data
"""

import argparse
import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import tempfile
import termios

COLUMNS = 60
RUNS = 3
TIMEOUT_S = 60

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def start_sim(sim):
    process = subprocess.Popen([sim, "--listen", "127.0.0.1:0", "--tokens", "5", "--tokens-per-second", "2000"],
                               stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    match = re.search(r"listening on [\d.]+:(\d+)", line)
    if not match:
        process.kill()
        raise RuntimeError(f"ollama-sim did not announce its port: {line!r}")
    return process, int(match.group(1))


def run_on_terminal(argv):
    """stderr on a pty COLUMNS wide; returns (exit status, what the terminal received)."""
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, COLUMNS, 0, 0))
    process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=terminal)
    os.close(terminal)
    received = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # EIO: every writer closed the terminal
            break
        if not chunk:
            break
        received += chunk
    stdout = process.stdout.read()
    os.close(controller)
    return process.wait(TIMEOUT_S), received.decode(), stdout.decode()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--chimera", required=True)
    parser.add_argument("--sim", required=True)
    parser.add_argument("--data-dir", required=True)
    args = parser.parse_args()
    chimera = os.environ.get("CHIMERA_BIN", args.chimera)
    sim, port = start_sim(args.sim)
    try:
        with tempfile.TemporaryDirectory() as out:
            status, terminal, stdout = run_on_terminal(
                [chimera, "run", "--runs", str(RUNS), "--data-dir", os.path.join(args.data_dir, "tiny"),
                 "--ollama-url", f"http://127.0.0.1:{port}", "--output-dir", out, "--log-level", "warn"])
    finally:
        sim.terminate()
        sim.wait(TIMEOUT_S)

    check(status == 0, f"exit status {status}: {terminal!r}")
    redraw = "\r\x1b[K"
    progress, _, after = terminal.rpartition("\r\n")  # the pty turns the final LF into CR LF
    frames = progress.split(redraw)
    check(frames[0] == "", f"the output does not start with a redraw: {terminal[:80]!r}")
    frames = frames[1:]
    check(len(frames) == 2 * RUNS, f"{len(frames)} redraws, expected one as each run starts and ends: {frames}")
    for frame in frames:
        check("\n" not in frame and "\r" not in frame, f"a redrawn line spans lines: {frame!r}")
        check(len(frame) <= COLUMNS - 1, f"a line wider than the terminal allows ({len(frame)}): {frame!r}")
    check(frames[0].startswith(f"[0/{RUNS} 0%] running run_1"), f"first frame: {frames[:1]}")
    check(frames[-1].startswith(f"[{RUNS}/{RUNS} 100%] | elapsed "), f"last frame: {frames[-1:]}")
    check(all(" tok/s" in frame for frame in frames[1::2]), f"an ended run without its tok/s: {frames[1::2]}")
    check(after == "", f"stderr after the progress line: {after!r}")
    check(stdout.startswith("run  status"), f"the summary table is not on stdout: {stdout[:200]!r}")
    for message in failures:
        print("FAIL:", message)
    print(f"{len(frames)} redraws on a {COLUMNS}-column terminal: {'ok' if not failures else 'failed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
