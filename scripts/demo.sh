#!/usr/bin/env bash
# The main job in one command: install what is missing, build, start `chimera serve`
# against the built-in Ollama simulator (or a real Ollama when OLLAMA_URL is set),
# submit one run on the sample corpus, print its report and the TTFT / tok/s
# lines of /metrics, then stop everything. Finishes by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
export CMAKE_GENERATOR=${CMAKE_GENERATOR:-Ninja}
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target chimera ollama-sim

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Reads "listening on HOST:PORT" from a server's stdout file.
wait_port() {
  for _ in $(seq 200); do
    if line=$(grep -m1 '^listening on ' "$1" 2>/dev/null); then echo "${line##*:}"; return; fi
    sleep 0.05
  done
  echo "server did not start; see $1" >&2; exit 1
}

if [[ -n "${OLLAMA_URL:-}" ]]; then
  backend="$OLLAMA_URL"
  echo "backend: real Ollama at $backend (model ${CHIMERA_MODEL:-gemma3:latest})"
else
  build/bin/ollama-sim --listen 127.0.0.1:0 --tokens-per-second 100 --tokens 120 --load-ms 400 >"$work/sim.out" &
  pids+=($!)
  backend="http://127.0.0.1:$(wait_port "$work/sim.out")"
  echo "backend: ollama-sim at $backend (100 tok/s, 400 ms cold load)"
fi

build/bin/chimera serve --listen 127.0.0.1:0 --ollama-url "$backend" --data-root tests/data \
  --state-dir "$work/state" --model "${CHIMERA_MODEL:-gemma3:latest}" >"$work/chimera.out" &
pids+=($!)
api="http://127.0.0.1:$(wait_port "$work/chimera.out")"
echo "chimera: $api"

python3 - "$api" <<'PY'
import json, sys, time, urllib.request
api = sys.argv[1]
def call(method, path, body=None):
    req = urllib.request.Request(api + path, method=method, data=body and json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.read().decode()
for _ in range(200):
    try:
        call("GET", "/readyz"); break
    except Exception:
        time.sleep(0.05)
run = json.loads(call("POST", "/runs", {"data_dir": "tr109", "label": "demo"}))
print(f"submitted run {run['id']}")
deadline = time.time() + 1800
while time.time() < deadline:
    doc = json.loads(call("GET", f"/runs/{run['id']}"))
    if doc["status"] in ("succeeded", "failed", "cancelled"):
        break
    time.sleep(0.2)
print(f"status: {doc['status']}  ingest: {doc['ingest'] and doc['ingest']['files']} files")
if doc["error"]:
    print(f"error: {doc['error']['type']}: {doc['error']['detail']}")
    sys.exit(1)
for c in doc["calls"]:
    print(f"  {c['stage']:8} TTFT {c['ttft_ms']:8.1f} ms  {c['tokens_per_second']:7.1f} tok/s  {c['tokens_generated']} tokens")
print("\n===== report =====\n")
print(call("GET", f"/runs/{run['id']}/report"))
print("===== agent report =====\n")
print(call("GET", f"/runs/{run['id']}/report?kind=agent"))
print("===== /metrics (TTFT and tok/s) =====")
for line in call("GET", "/metrics").splitlines():
    if line.startswith(("chimera_llm_time_to_first_token_seconds_", "chimera_llm_generation_tokens_per_second_")) \
            and not "_bucket" in line:
        print(line)
PY
