#!/usr/bin/env bash
# Lays out the image's whole file set in DIR: the stripped chimera, the shared libraries it loads
# if any (exactly ldd's list, the dynamic loader among them), the few files of /etc glibc reads to
# resolve a host name (nss_files and nss_dns are part of glibc itself since 2.34: no
# libnss_*.so), user 10001 by name, and the empty state volume owned by 10001. The Dockerfile copies DIR onto an empty
# (FROM scratch) base; tests/deploy/image_rootfs_test.sh starts chimera chrooted in DIR, so the two
# cannot drift apart.
#   deploy/image-rootfs.sh [--with-libpq] PATH/TO/chimera DIR   # as root (chown of the volume); DIR must not exist
# --with-libpq: the shared store's image (--store postgresql://…). chimera loads libpq when such a
# store is opened (dlopen: service/store/src/libpq_api.cpp), so ldd does not list it: libpq.so.5
# and what it loads are added, at the paths the loader searches. Needs a dynamic chimera (a static
# one cannot load a shared library beside its own C library).
set -euo pipefail
with_libpq=0
if [[ ${1:-} == --with-libpq ]]; then with_libpq=1; shift; fi
[[ $# == 2 ]] || { echo "usage: $0 [--with-libpq] PATH/TO/chimera DIR" >&2; exit 2; }
bin=$1 root=$2
[[ ! -e $root ]] || { echo "$root exists: give a new directory" >&2; exit 2; }

install -d -m 0755 "$root/usr/local/bin" "$root/etc" "$root/var/lib"
strip --strip-all -o "$root/usr/local/bin/chimera" "$bin"
# "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)" and the loader's "/lib64/ld-linux-x86-64.so.2 (0x…)":
# each library is copied, symbolic links resolved, to the path the loader asks for. A static
# binary (the image's: CHIMERA_STATIC_RUNTIME) needs none: ldd says "not a dynamic executable".
libs=$(ldd "$bin" 2>&1 || true)
if ((with_libpq)); then
  libpq=$(ldconfig -p | awk '$1 == "libpq.so.5" && $NF ~ /^\// {print $NF; exit}')
  [[ -n $libpq ]] || { echo "--with-libpq: no libpq.so.5 here (Debian's libpq5)" >&2; exit 1; }
  libs+=$'\n'"libpq.so.5 => $libpq (0)"$'\n'"$(ldd "$libpq")"
fi
if grep -F 'not found' <<<"$libs"; then exit 1; fi
awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' <<<"$libs" | sort -u | while read -r lib; do
  install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
done

printf 'root:x:0:0:root:/nonexistent:/nonexistent\nchimera:x:10001:10001:chimera:/nonexistent:/nonexistent\n' \
  >"$root/etc/passwd"
printf 'root:x:0:\nchimera:x:10001:\n' >"$root/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
# Container runtimes mount their own /etc/hosts and /etc/resolv.conf over these.
printf '127.0.0.1 localhost\n::1 localhost\n' >"$root/etc/hosts"
: >"$root/etc/resolv.conf"
chmod 0644 "$root"/etc/*
# SQLite's temporary files; Kubernetes mounts an emptyDir here (readOnlyRootFilesystem).
install -d -m 1777 "$root/tmp"
install -d -m 0755 -o 10001 -g 10001 "$root/var/lib/chimera"
