# Chimera image: built on Debian 12; at run time nothing but one static chimera and a few files of
# /etc (deploy/image-rootfs.sh lays them out; tests/deploy/image_rootfs_test.sh serves from the
# same file set in CI). No shell, no package manager, no shared library. The embedded store (one
# replica, deploy/k8s/sqlite/). For replicas on the shared store (--store postgresql://…,
# deploy/k8s/postgres/), the target runtime-shared-store: a dynamic chimera with the shared
# libraries it loads, libpq and what libpq loads among them (27 MB; image_rootfs_test.sh checks it).
#   docker build -t chimera:0.1.0 .
#   docker build --target runtime-shared-store -t chimera:0.1.0-postgres .
#   docker run --rm -p 8080:8080 --add-host=host.docker.internal:host-gateway \
#       -v "$PWD/tests/data:/data:ro" chimera:0.1.0 \
#       --ollama-url http://host.docker.internal:11434 --data-root /data

# ---- build -------------------------------------------------------------------------------
FROM debian:bookworm AS build
ENV DEBIAN_FRONTEND=noninteractive
WORKDIR /src
# Build-only subset of scripts/install-deps.sh (no test tools, no prometheus server); cached layer.
RUN apt-get update \
 && apt-get install -y --no-install-recommends g++ cmake make pkg-config libboost1.81-dev \
      nlohmann-json3-dev libspdlog-dev prometheus-cpp-dev libsqlite3-dev libpq-dev dpkg-dev \
 && rm -rf /var/lib/apt/lists/*
COPY . .
# One static executable (CHIMERA_STATIC_RUNTIME, with prometheus-cpp's core built static from
# Debian's source package): nothing to map and relocate at start (docs/benchmarks.md).
RUN deploy/build-static.sh build \
 && deploy/image-rootfs.sh build/bin/chimera /rootfs

# ---- the shared store's image ------------------------------------------------------------
FROM build AS build-shared-store
RUN cmake -S . -B build-shared -DCMAKE_BUILD_TYPE=Release -DCHIMERA_BUILD_TESTS=OFF \
 && cmake --build build-shared -j"$(nproc)" --target chimera \
 && deploy/image-rootfs.sh --with-libpq build-shared/bin/chimera /rootfs-shared

FROM scratch AS runtime-shared-store
COPY --from=build-shared-store /rootfs-shared/ /
COPY --from=build-shared-store --chown=10001:10001 /rootfs-shared/var/lib/chimera/ /var/lib/chimera/
ENV PATH=/usr/local/bin
USER 10001:10001
WORKDIR /var/lib/chimera
VOLUME ["/var/lib/chimera"]
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["chimera", "probe", "http://127.0.0.1:8080/healthz", "--timeout", "2s"]
ENTRYPOINT ["chimera", "serve", "--listen", "0.0.0.0:8080"]

# ---- runtime (the default target: last) ---------------------------------------------------
# Empty base: the file set is all there is (image-rootfs.sh strips the binary, copies what ldd
# lists, which for the static binary is nothing, and writes /etc for host names and user 10001).
FROM scratch AS runtime
COPY --from=build /rootfs/ /
# COPY does not keep the build stage's owner: the volume must be 10001's to write state in.
COPY --from=build --chown=10001:10001 /rootfs/var/lib/chimera/ /var/lib/chimera/
ENV PATH=/usr/local/bin
# Numeric, so Kubernetes' runAsNonRoot can verify it.
USER 10001:10001
# Writable working directory: the defaults --state-dir ./chimera-state (finished runs and reports)
# and --data-root . land here. A volume, so results outlive the container.
WORKDIR /var/lib/chimera
VOLUME ["/var/lib/chimera"]
EXPOSE 8080
# No shell or curl in the image: chimera probes itself (one GET, one thread, exit 0 on 200).
# Assumes the default --listen port 8080. Kubernetes ignores HEALTHCHECK and uses the httpGet
# probes in deploy/k8s/*/deployment.yaml.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["chimera", "probe", "http://127.0.0.1:8080/healthz", "--timeout", "2s"]
ENTRYPOINT ["chimera", "serve", "--listen", "0.0.0.0:8080"]
