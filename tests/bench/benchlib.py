"""What every benchmark script of tests/bench shares: starting chimera and ollama-sim on
loopback, plain HTTP calls, reading a process's CPU time and memory from /proc, and the
JSON file each script writes for run_suite.py.

A script writes one document:
    {"group": "front", "command": "tests/bench/http_front.py",
     "results": [{"id": "healthz_rate_vs_nginx", "label": "GET /healthz rate / nginx's",
                  "value": 0.93, "unit": "ratio",
                  "floor": {"min": 0.70},              # the issue's floor, optional
                  "guard": {"better": "higher"},       # compared with baseline.json in CI, optional
                  "note": "wrk -t1 -c32 -d5s"}]}       # optional
Only figures that are ratios or otherwise independent of the machine's speed carry a
"guard": the CI machines are noisy, and an absolute time would fail for the wrong reason.
"""
import json
import os
import subprocess
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA_ROOT = os.path.join(ROOT, "tests", "data")


def start(argv, **popen_args):
    """Starts a program that prints "listening on HOST:PORT" first; returns it and the port."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, **popen_args)
    line = proc.stdout.readline()
    if not line.startswith("listening on "):
        proc.kill()
        raise SystemExit(f"{argv[0]} did not start: {line!r}")
    return proc, int(line.rsplit(":", 1)[1])


def on_cpu(cpu):
    """The command prefix that runs a program on one CPU (taskset), or none."""
    return [] if cpu is None else ["taskset", "-c", str(cpu)]


def start_sim(build, *flags, cpu=None):
    return start([*on_cpu(cpu), os.path.join(build, "bin", "ollama-sim"), "--listen", "127.0.0.1:0",
                  *map(str, flags)])


def start_chimera(build, sim_port, state_dir, *flags):
    return start([os.path.join(build, "bin", "chimera"), "serve", "--listen", "127.0.0.1:0",
                  "--ollama-url", f"http://127.0.0.1:{sim_port}", "--data-root", DATA_ROOT,
                  "--state-dir", state_dir, "--log-level", "warn", *map(str, flags)])


def stop(*procs):
    for proc in procs:
        proc.terminate()
    for proc in procs:
        proc.wait(timeout=60)


def call(port, method, path, body=None, timeout=60):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                 data=body and json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as reply:
        return reply.read().decode()


def wait_ready(port, path="/readyz", attempts=5000):
    """Polls until `path` answers 200; the poll interval is 1 ms so start-up is timed closely."""
    for _ in range(attempts):
        try:
            call(port, "GET", path, timeout=5)
            return
        except OSError:
            time.sleep(0.001)
    raise SystemExit(f"port {port} never answered {path}")


def cpu_seconds(pid):
    """utime + stime of a process, from /proc/<pid>/stat (fields 14 and 15)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def status_kb(pid, field):
    """A /proc/<pid>/status field in kB: VmRSS (now) or VmHWM (peak)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def result(rid, label, value, unit, floor=None, better=None, note=None):
    entry = {"id": rid, "label": label, "value": value, "unit": unit}
    if floor:
        entry["floor"] = floor
    if better:
        entry["guard"] = {"better": better}
    if note:
        entry["note"] = note
    return entry


def write(path, group, command, results):
    document = {"group": group, "command": command, "results": results}
    text = json.dumps(document, indent=2)
    if path:
        with open(path, "w") as out:
            out.write(text + "\n")
    print(text)


def wrk_post_script(body):
    """A wrk Lua script that POSTs `body` (JSON text) and prints "statuses: 202=N other=M" at the end:
    how many requests were accepted, which wrk's own summary does not say."""
    return """
wrk.method = "POST"
wrk.body = '%s'
wrk.headers["Content-Type"] = "application/json"
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) accepted = 0; refused = 0 end
function response(status, headers, body)
  if status == 202 then accepted = accepted + 1 else refused = refused + 1 end
end
function done(summary, latency, requests)
  local a, r = 0, 0
  for _, t in ipairs(threads) do a = a + t:get("accepted"); r = r + t:get("refused") end
  io.write(string.format("statuses: 202=%%d other=%%d\\n", a, r))
end
""" % body

