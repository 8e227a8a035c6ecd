#!/usr/bin/env bash
# Builds chimera as one static executable (-DCHIMERA_STATIC_RUNTIME=ON), as the image holds it.
# Debian ships prometheus-cpp as a shared library only: its core is built first, static, from
# Debian's own source package (apt-get source through a private apt state, so the system's apt
# configuration is left alone). The Dockerfile runs this; so can anyone, to measure the image's
# binary (docs/benchmarks.md).
#   deploy/build-static.sh [BUILD_DIR]     # default build-static; the binary is BUILD_DIR/bin/chimera
# Needs the packages of scripts/install-deps.sh (dpkg-dev among them) and the Debian mirror.
# Env: MIRROR (default: the first Debian URI in /etc/apt/sources.list*).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${1:-$here/build-static}")
deps=$build/prometheus-cpp
MIRROR=${MIRROR:-$(grep -rhoE '(^URIs:|^deb) +https?://[^ ]+' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null \
                   | awk '{print $2}' | grep -E '/debian/?$' | head -n1 || true)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
jobs=$(nproc)

if [[ ! -f $deps/prefix/lib/libprometheus-cpp-core.a ]]; then
  rm -rf "$deps" && mkdir -p "$deps/apt/lists/partial" "$deps/src"
  echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR bookworm main" >"$deps/apt/sources.list"
  apt=(apt-get -qq -o "Dir::Etc::SourceList=$deps/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
       -o "Dir::State::Lists=$deps/apt/lists" -o APT::Sandbox::User=root)
  "${apt[@]}" update
  # The version Debian 12 ships as prometheus-cpp-dev, so headers and behaviour match the shared build.
  (cd "$deps/src" && "${apt[@]}" source "prometheus-cpp=$(dpkg-query -W -f='${source:Version}' prometheus-cpp-dev)")
  cmake -S "$deps"/src/prometheus-cpp-*/ -B "$deps/build" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
    -DENABLE_PULL=OFF -DENABLE_PUSH=OFF -DENABLE_COMPRESSION=OFF -DENABLE_TESTING=OFF \
    -DUSE_THIRDPARTY_LIBRARIES=OFF -DGENERATE_PKGCONFIG=OFF -DCMAKE_INSTALL_PREFIX="$deps/prefix" >/dev/null
  cmake --build "$deps/build" -j"$jobs" >/dev/null
  cmake --install "$deps/build" >/dev/null
fi

cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCHIMERA_BUILD_TESTS=OFF -DCHIMERA_STATIC_RUNTIME=ON \
  -DCMAKE_PREFIX_PATH="$deps/prefix" >/dev/null
cmake --build "$build" -j"$jobs" --target chimera
