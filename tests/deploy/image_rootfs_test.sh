#!/usr/bin/env bash
# The image's file set, without an image builder: deploy/image-rootfs.sh lays out what the
# Dockerfile's final (FROM scratch) stage holds; chimera must start from that alone, chrooted in
# it as uid/gid 10001, answer /healthz over loopback and pass its own health check (chimera probe,
# run inside the chroot too), and the whole set must weigh at most 20 MB. Needs root for chroot:
# fails without it.
#   image_rootfs_test.sh PATH/TO/chimera
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:?usage: $0 PATH/TO/chimera}
limit=20000000  # bytes: 20 MB, the seed report's Rust image
[[ $(id -u) == 0 ]] || { echo "FAIL: needs root (chroot)"; exit 1; }

work=$(mktemp -d)
root=$work/root
server=
cleanup() {
  [[ -z $server ]] || { kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; [[ ! -s $work/serve.log ]] || sed 's/^/  serve: /' "$work/serve.log"; exit 1; }

"$here/deploy/image-rootfs.sh" "$bin" "$root"
bytes=$(find "$root" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
echo "file set: $(find "$root" -type f | wc -l) files, $bytes bytes (limit $limit)"
find "$root" -type f -printf '  %10s %P\n' | sort -k2
((bytes <= limit)) || fail "the file set is over $limit bytes"
[[ $(stat -c %u:%g "$root/var/lib/chimera") == 10001:10001 ]] || fail "/var/lib/chimera is not owned by 10001"

in_root=(chroot --userspec=10001:10001 "$root")
# As a container runtime starts the image: root, working directory (WORKDIR, which chroot(1)
# would reset to /), then user; the Dockerfile's ENTRYPOINT with port 0 (a free one) for 8080.
python3 -c 'import os, sys
os.chroot(sys.argv[1]); os.chdir("/var/lib/chimera")
os.setgroups([]); os.setgid(10001); os.setuid(10001)
os.execv(sys.argv[2], sys.argv[2:])' "$root" /usr/local/bin/chimera serve --listen 127.0.0.1:0 \
  >"$work/serve.out" 2>"$work/serve.log" &
server=$!
port=
for _ in $(seq 300); do  # up to 30 s on a busy machine
  port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$work/serve.out")
  [[ -n $port ]] && break
  kill -0 "$server" 2>/dev/null || fail "chimera serve exited in the chroot"
  sleep 0.1
done
[[ -n $port ]] || fail "chimera serve did not announce its port"

uid=$(awk '/^Uid:/ {print $2} /^Gid:/ {print $2}' "/proc/$server/status" | paste -sd:)
[[ $uid == 10001:10001 ]] || fail "chimera serve runs as uid $uid, not 10001"
[[ -f $root/var/lib/chimera/chimera-state/runs.db ]] || fail "no runs.db in the volume"

health=$(python3 -c 'import sys, urllib.request
print(urllib.request.urlopen(sys.argv[1], timeout=10).status)' "http://127.0.0.1:$port/healthz") \
  || fail "GET /healthz failed"
[[ $health == 200 ]] || fail "GET /healthz -> $health"
echo "GET /healthz -> $health (uid $uid)"

probe=$("${in_root[@]}" /usr/local/bin/chimera probe "http://localhost:$port/healthz") || fail "probe: $probe"
echo "$probe"
if gone=$("${in_root[@]}" /usr/local/bin/chimera probe "http://127.0.0.1:$port/no-such-route" 2>&1); then
  fail "probe of a 404 exited 0: $gone"
fi

# The shared store's image (Dockerfile target runtime-shared-store): the same file set plus libpq
# and what it loads, which chimera loads only for --store. From it alone, chimera must load libpq
# and reach for the database: a refused connection to a port nothing listens on, named as such, and
# not "needs libpq".
if [[ -z $(ldd "$bin" 2>&1 | grep -F 'not a dynamic executable') ]]; then
  "$here/deploy/image-rootfs.sh" --with-libpq "$bin" "$work/shared"
  shared_bytes=$(find "$work/shared" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
  echo "shared store's file set: $(find "$work/shared" -type f | wc -l) files, $shared_bytes bytes"
  refused=$(chroot --userspec=10001:10001 "$work/shared" /usr/local/bin/chimera serve --listen 127.0.0.1:0 \
            --state-dir /tmp/state --store postgresql://chimera@127.0.0.1:9/chimera 2>&1 || true)
  grep -q 'cannot connect to PostgreSQL at 127.0.0.1:9/chimera' <<<"$refused" \
    || fail "the shared store's file set: chimera did not reach for PostgreSQL: $refused"
  echo "shared store's file set: libpq loads in the chroot"
fi
echo "image_rootfs: OK"
