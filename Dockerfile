# Chimera image: build on Debian 12, run on Debian 12 slim with only the shared libraries the
# binary links (Boost.Asio/Beast and nlohmann_json are header-only).
#   docker build -t chimera:0.1.0 .
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
      nlohmann-json3-dev libspdlog-dev prometheus-cpp-dev libsqlite3-dev \
 && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCHIMERA_BUILD_TESTS=OFF \
 && cmake --build build -j2 --target chimera \
 && strip build/bin/chimera

# ---- runtime -----------------------------------------------------------------------------
FROM debian:bookworm-slim AS runtime
# libspdlog1.10 pulls libfmt9; both are listed because the binary links both.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libspdlog1.10 libfmt9 libprometheus-cpp-core1.0 libsqlite3-0 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 chimera \
 && useradd --system --uid 10001 --gid chimera --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin chimera \
 && install -d -o 10001 -g 10001 /var/lib/chimera
COPY --from=build /src/build/bin/chimera /usr/local/bin/chimera
# Fail the image build if a shared library the binary needs is missing from this stage.
RUN ! ldd /usr/local/bin/chimera | grep -F 'not found'
# Numeric, so Kubernetes' runAsNonRoot can verify it.
USER 10001:10001
# Writable working directory: the defaults --state-dir ./chimera-state (finished runs and reports)
# and --data-root . land here. A volume, so results outlive the container.
WORKDIR /var/lib/chimera
VOLUME ["/var/lib/chimera"]
EXPOSE 8080
# No curl in slim: probe /healthz with bash's /dev/tcp (bash and its /dev/tcp support ship in the
# base image). Assumes the default --listen port 8080. Kubernetes ignores HEALTHCHECK and uses the
# httpGet probes in deploy/k8s/deployment.yaml.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && read -r status <&3 && [[ $status == 'HTTP/1.'[01]' 200 '* ]]"]
ENTRYPOINT ["chimera", "serve", "--listen", "0.0.0.0:8080"]
