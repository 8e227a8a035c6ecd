#!/usr/bin/env bash
# Proves the Dockerfile builds and serves, with no registry access: makes a local Debian 12 base
# image with debootstrap (the build stage's; the runtime is FROM scratch), builds the Dockerfile
# with buildah (vfs storage), checks the image is at most 20 MB, runs it, curls /healthz and checks
# it serves as uid 10001, and runs its HEALTHCHECK (chimera probe) against it. Slow (debootstrap +
# apt + a Release compile): not part of CI, which serves the same file set chrooted instead
# (tests/deploy/image_rootfs_test.sh).
#   sudo deploy/verify-image.sh        # needs root, buildah, podman, debootstrap, curl
# Env: MIRROR (default: the first deb URI in /etc/apt/sources.list*), ROOTFS, ISOLATION (chroot|oci),
#      IMAGE (default localhost/chimera:verify), PORT (default 18080).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
MIRROR=${MIRROR:-$(grep -rhoE '(^URIs:|^deb) +https?://[^ ]+' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null \
                   | awk '{print $2}' | grep -E '/debian/?$' | head -n1 || true)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
ROOTFS=${ROOTFS:-/tmp/chimera-verify-rootfs}
ISOLATION=${ISOLATION:-chroot}
IMAGE=${IMAGE:-localhost/chimera:verify}
PORT=${PORT:-18080}
export STORAGE_DRIVER=vfs
bah=(buildah --storage-driver vfs)
pod=(podman --storage-driver vfs)

for tool in buildah podman debootstrap curl; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y buildah podman debootstrap curl" >&2; exit 1; }
done

# 1. Base image: one debootstrap'd minbase bookworm, so `FROM debian:bookworm` resolves locally
#    (--pull=never). The build stage fetches prometheus-cpp's source package from the same mirror.
if ! "${bah[@]}" inspect --type image docker.io/library/debian:bookworm >/dev/null 2>&1; then
  if [[ ! -x $ROOTFS/bin/bash ]]; then
    rm -rf "$ROOTFS"
    debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR"
  fi
  rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/*
  tar -C "$ROOTFS" -c . | "${pod[@]}" import - docker.io/library/debian:bookworm
fi

if [[ ${SKIP_BUILD:-0} != 1 ]]; then  # SKIP_BUILD=1: reuse $IMAGE
# 2. Build the Dockerfile (RUN steps reach the Debian mirror over the host network). Docker format:
#    OCI image config has no HEALTHCHECK.
"${bah[@]}" bud --format docker --pull=never --isolation "$ISOLATION" --network host --layers \
  -f "$here/Dockerfile" -t "$IMAGE" "$here"
fi
# The image's size, uncompressed: the seed report's Rust agent shipped ~20 MB.
limit=20000000
size=$("${bah[@]}" inspect --type image --format '{{.Size}}' "$IMAGE" 2>/dev/null || true)
if [[ ! $size =~ ^[0-9]+$ ]]; then  # older buildah: measure the mounted root file system
  probe_ctr=$("${bah[@]}" from --pull-never "$IMAGE")
  size=$(du -sb "$("${bah[@]}" mount "$probe_ctr")" | cut -f1)
  "${bah[@]}" rm "$probe_ctr" >/dev/null
fi
echo "image $IMAGE: $size bytes (limit $limit)"
((size <= limit)) || { echo "verify-image: the image is over $limit bytes" >&2; exit 1; }

# 3. Run it with buildah run (chroot isolation; podman run fails in some sandboxes with
#    "crun: setrlimit RLIMIT_NOFILE: Operation not permitted"). Host network, so move the port.
ctr=$("${bah[@]}" from --pull-never "$IMAGE")
trap '"${bah[@]}" rm "$ctr" >/dev/null 2>&1 || true' EXIT
"${bah[@]}" run --isolation "$ISOLATION" --network host "$ctr" -- \
  chimera serve --listen "127.0.0.1:$PORT" >/tmp/chimera-verify-run.log 2>&1 &
runner=$!
# `|| true` after wait: the runner ends by TERM (status 143), which under set -e would abort the
# trap before the container is removed, and turn a passing run into exit status 143.
trap 'kill -TERM $runner 2>/dev/null || true; wait $runner 2>/dev/null || true
      "${bah[@]}" rm "$ctr" >/dev/null 2>&1 || true' EXIT
code=000
for _ in $(seq 50); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz" || true)
  [[ $code == 200 ]] && break
  sleep 0.2
done
echo "GET /healthz -> $code ($(curl -s "http://127.0.0.1:$PORT/healthz"))"
[[ $code == 200 ]] || { cat /tmp/chimera-verify-run.log >&2; exit 1; }
uid=$(ps -o uid= -o args= -C chimera | awk -v p="127.0.0.1:$PORT" '$0 ~ p {print $1}')
echo "runs as uid: $uid"
[[ $uid == 10001 ]] || { echo "verify-image: chimera serve runs as uid '$uid', not 10001" >&2; exit 1; }

# 4. The image's HEALTHCHECK, as the runtime would run it (exec form, the image's own chimera),
#    with the port moved like the server's: healthy, then unhealthy on a port nothing serves.
# The whole inspection, read here: buildah 1.28 (Debian 12) has no `json` template function.
healthcheck=$("${bah[@]}" inspect --type image "$IMAGE" | python3 -c 'import json, sys
print(json.dumps(json.load(sys.stdin)["Docker"]["config"]["Healthcheck"]["Test"]))')
echo "healthcheck: $healthcheck"
mapfile -t check < <(python3 -c 'import json, sys
test = json.loads(sys.argv[1])
assert test[0] == "CMD", test
print("\n".join(a.replace(":8080/", ":" + sys.argv[2] + "/") for a in test[1:]))' "$healthcheck" "$PORT")
"${bah[@]}" run --isolation "$ISOLATION" --network host "$ctr" -- "${check[@]}"
if "${bah[@]}" run --isolation "$ISOLATION" --network host "$ctr" -- chimera probe http://127.0.0.1:1/healthz; then
  echo "verify-image: the health check passed against a closed port" >&2; exit 1
fi
echo "verify-image: OK"
