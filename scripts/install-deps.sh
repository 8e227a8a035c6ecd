#!/usr/bin/env bash
# Installs what building and testing Chimera needs, from Debian 12 packages only.
# Idempotent: does nothing (and needs no network) when everything is present.
set -euo pipefail

packages=(
  g++ cmake make ninja-build pkg-config
  clang-16 libclang-rt-16-dev
  libboost1.81-dev nlohmann-json3-dev libspdlog-dev prometheus-cpp-dev
  googletest libgtest-dev
  libsqlite3-dev libpq-dev postgresql-15 dpkg-dev
  python3 python3-jsonschema python3-yaml
  prometheus
  libbenchmark-dev wrk nginx-light python3-httpx
  nginx  # /usr/sbin/nginx: LoadBalancer integration tests, nginx -t in deploy_contract (nginx-light is transitional)
  chromium
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
