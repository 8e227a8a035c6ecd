#!/usr/bin/env python3
"""Deployment and contract checks (issue 6): every YAML/JSON under deploy/ and proto-free-api/ parses;
the Dockerfile, deploy/k8s/ and deploy/compose/ use ports, paths and flags the code has; docs/api.md
and proto-free-api/openapi.yaml list the same operations.
  deploy_checks_test.py --source-dir DIR --chimera PATH/TO/chimera
"""
import argparse, glob, json, os, re, subprocess, sys
import yaml

errors = []


def fail(msg):
    errors.append(msg)


def load_all(src):
    """Parses every YAML/JSON file; returns {relpath: [documents]}."""
    docs = {}
    for top in ("deploy", "proto-free-api"):
        for path in sorted(glob.glob(os.path.join(src, top, "**", "*"), recursive=True)):
            rel = os.path.relpath(path, src)
            if "/examples/invalid/" in "/" + rel + "/":
                continue  # deliberately invalid request bodies (malformed JSON among them)
            try:
                if path.endswith(".json"):
                    with open(path, encoding="utf-8") as f:
                        docs[rel] = [json.load(f)]
                elif path.endswith((".yaml", ".yml")):
                    with open(path, encoding="utf-8") as f:
                        docs[rel] = [d for d in yaml.safe_load_all(f) if d is not None]
            except Exception as e:  # noqa: BLE001 - report any parse error
                fail(f"{rel}: does not parse: {e}")
    return docs


def code_routes(src):
    routes = set()
    for path in glob.glob(os.path.join(src, "service", "api", "src", "*handlers*.cpp")):
        with open(path, encoding="utf-8") as f:
            text = f.read()
            for verb, route in re.findall(r'\badd(?:_sync)?\(\s*http::verb::(\w+?)_?,\s*"([^"]+)"', text):
                routes.add((verb.upper(), route))
            for route in re.findall(r'add_stream\(\s*"([^"]+)"', text):
                routes.add(("GET", route))
    if not routes:
        fail("no routes found in service/api/src/*handlers*.cpp")
    return routes


def help_flags(chimera):
    out = subprocess.run([chimera, "serve", "--help"], capture_output=True, text=True, timeout=30)
    flags = set(re.findall(r"(--[a-z][a-z0-9-]*)", out.stdout + out.stderr))
    if "--listen" not in flags:
        fail(f"`{chimera} serve --help` does not list --listen:\n{out.stdout}{out.stderr}")
    return flags


def check_flags(where, args, flags):
    for a in args:
        flag = str(a).split("=", 1)[0]
        if flag.startswith("--") and flag not in flags:
            fail(f"{where}: flag {flag} is not in `chimera serve --help`")


def check_token_file(container, pod, args):
    """--auth-token-file must lie under a read-only mount of a Secret: tokens never live in the image."""
    if "--auth-token-file" not in args:
        return
    path = args[args.index("--auth-token-file") + 1]
    secrets = {v["name"] for v in pod.get("volumes", []) if "secret" in v}
    mounts = [m for m in container.get("volumeMounts", []) if m["name"] in secrets and m.get("readOnly")]
    if not any(path.startswith(m["mountPath"].rstrip("/") + "/") for m in mounts):
        fail(f"Deployment: --auth-token-file {path} is not under a read-only Secret volume mount")


def listen_port(args, flag="--listen"):
    """Port of the last `flag` (--listen or --admin-listen) in args (later flags win), or None."""
    port = None
    for i, a in enumerate(args):
        a = str(a)
        if a == flag and i + 1 < len(args):
            port = int(str(args[i + 1]).rsplit(":", 1)[1])
        elif a.startswith(flag + "="):
            port = int(a.rsplit(":", 1)[1])
    return port


def check_dockerfile(src, flags, routes):
    with open(os.path.join(src, "Dockerfile"), encoding="utf-8") as f:
        text = f.read()
    joined = re.sub(r"\\\n", " ", text)
    stages = re.findall(r"(?m)^FROM\s+(\S+)", joined)
    if len(stages) < 2 or not stages[0].startswith("debian:bookworm") or stages[-1] != "scratch":
        fail(f"Dockerfile: expected a debian:bookworm build stage and a FROM scratch runtime, got {stages}")
    # The runtime is the file set of deploy/image-rootfs.sh, which the image_rootfs test serves from.
    if not re.search(r"(?m)^RUN .*deploy/image-rootfs\.sh build/bin/chimera /rootfs", joined) or \
            not re.search(r"(?m)^COPY --from=build /rootfs/ /$", joined):
        fail("Dockerfile: the runtime must be deploy/image-rootfs.sh's file set (COPY --from=build /rootfs/ /)")
    with open(os.path.join(src, "deploy", "image-rootfs.sh"), encoding="utf-8") as f:
        rootfs_script = f.read()
    user = re.findall(r"(?m)^USER\s+(\S+)", joined)
    if not user or user[-1].split(":")[0] in ("0", "root"):
        fail("Dockerfile: the runtime must run as a non-root USER")
    if "strip " not in rootfs_script:
        fail("deploy/image-rootfs.sh: the binary is not stripped")
    if not re.search(r"(?m)^VOLUME\s", joined):
        fail("Dockerfile: no VOLUME for the state dir")
    m = re.search(r"(?m)^ENTRYPOINT\s+(\[.*\])\s*$", joined)
    entry = json.loads(m.group(1)) if m else []
    if entry[:2] != ["chimera", "serve"]:
        fail(f"Dockerfile: ENTRYPOINT must be chimera serve, got {entry}")
    check_flags("Dockerfile ENTRYPOINT", entry, flags)
    port = listen_port(entry)
    expose = [int(p.split("/")[0]) for p in re.findall(r"(?m)^EXPOSE\s+(\S+)", joined)]
    if port is None or expose != [port]:
        fail(f"Dockerfile: EXPOSE {expose} != ENTRYPOINT --listen port {port}")
    hc = re.search(r"(?m)^HEALTHCHECK\s.*CMD\s(.*)$", joined)
    if not hc:
        fail("Dockerfile: no HEALTHCHECK")
    else:
        hc_cmd = json.loads(hc.group(1))
        if hc_cmd[:2] != ["chimera", "probe"]:
            fail(f"Dockerfile: HEALTHCHECK must be exec form chimera probe URL (no shell in the image), got {hc_cmd}")
        hc_url = " ".join(hc_cmd[2:3])
        hc_port = re.search(r"localhost:(\d+)|127\.0\.0\.1:(\d+)", hc_url)
        hc_path = re.search(r"https?://[^/\s]+(/\S*)", hc_url)
        if not hc_port or int(next(g for g in hc_port.groups() if g)) != port:
            fail(f"Dockerfile: HEALTHCHECK does not probe port {port}")
        if not hc_path or ("GET", next(g for g in hc_path.groups() if g)) not in routes:
            fail("Dockerfile: HEALTHCHECK path is not a GET route of the service")
    return entry, port


def by_kind(docs, prefix):
    out = {}
    for rel, ds in docs.items():
        if rel.startswith(prefix):
            for d in ds:
                if isinstance(d, dict) and "kind" in d:
                    out.setdefault(d["kind"], []).append((rel, d))
    return out


def check_k8s(src, docs, flags, routes, entry, port):
    k = by_kind(docs, "deploy/k8s/")
    for kind in ("Deployment", "Service", "ConfigMap", "PodDisruptionBudget", "HorizontalPodAutoscaler",
                 "ServiceMonitor", "Kustomization"):
        if len(k.get(kind, [])) != 1:
            fail(f"deploy/k8s/: expected one {kind}, found {len(k.get(kind, []))}")
            return
    kust = k["Kustomization"][0][1]
    listed = set(kust.get("resources", []))
    files = {os.path.basename(r) for r in docs if r.startswith("deploy/k8s/")} - {"kustomization.yaml"}
    if listed != files:
        fail(f"kustomization.yaml resources {sorted(listed)} != files {sorted(files)}")
    dep = k["Deployment"][0][1]
    labels = dep["spec"]["template"]["metadata"]["labels"]
    if dep["spec"]["selector"]["matchLabels"].items() - labels.items():
        fail("Deployment: selector does not match the pod template labels")
    pod = dep["spec"]["template"]["spec"]
    (c,) = pod["containers"]
    cm = k["ConfigMap"][0][1]
    env = dict(cm.get("data", {}))
    env.update({e["name"]: e.get("value") for e in c.get("env", [])})
    for ref in c.get("envFrom", []):
        if ref.get("configMapRef", {}).get("name") != cm["metadata"]["name"]:
            fail(f"Deployment: envFrom {ref} is not the ConfigMap {cm['metadata']['name']}")
    args = c.get("args", [])
    for a in args:
        for var in re.findall(r"\$\((\w+)\)", str(a)):
            if var not in env:
                fail(f"Deployment: args use $({var}), not set by the ConfigMap or env")
    check_flags("Deployment args", args, flags)
    eff_port = listen_port(args) or port
    admin_port = listen_port(args, "--admin-listen")
    ports = {p.get("name"): p["containerPort"] for p in c.get("ports", [])}
    if sorted(ports.values()) != sorted(p for p in (eff_port, admin_port) if p):
        fail(f"Deployment: containerPorts {list(ports.values())} != --listen {eff_port}, --admin-listen {admin_port}")
    check_token_file(c, pod, [str(a) for a in args])
    if c.get("image", "").split(":")[0] not in ("chimera", "localhost/chimera") and "chimera" not in c.get("image", ""):
        fail("Deployment: image is not chimera")

    def probe(name, path):
        p = c.get(name, {}).get("httpGet", {})
        if p.get("path") != path:
            fail(f"Deployment: {name} path {p.get('path')} != {path}")
        if ("GET", p.get("path")) not in routes:
            fail(f"Deployment: {name} path {p.get('path')} is not a GET route in service/api")
        if p.get("port") not in ports and p.get("port") != eff_port:
            fail(f"Deployment: {name} port {p.get('port')} is not a container port")
        # The admin listener's connection slots are its own: probes there are answered even when
        # clients fill the API listener (docs/operations.md, "Probes are always answered").
        if admin_port and p.get("port") not in ("admin", admin_port):
            fail(f"Deployment: {name} must use the admin port ({admin_port}), not {p.get('port')}")
    probe("livenessProbe", "/healthz")
    probe("readinessProbe", "/readyz")
    # The image holds no shell and no sleep(1): an exec hook could run chimera only. Kubernetes'
    # own sleep action (1.30+) waits instead.
    pre_stop = c.get("lifecycle", {}).get("preStop", {})
    if "exec" in pre_stop:
        fail(f"Deployment: preStop exec {pre_stop['exec']}: the image has no shell or sleep; use preStop.sleep")
    seconds = pre_stop.get("sleep", {}).get("seconds")
    m = re.fullmatch(r"(\d+)", str(seconds)) if seconds is not None else None
    if not m:
        fail("Deployment: no preStop sleep")
    else:
        args = [str(a) for a in c.get("args", [])]
        drain = 25  # the service's --drain-timeout default
        if "--drain-timeout" in args:
            d = re.fullmatch(r"(\d+)s", args[args.index("--drain-timeout") + 1])
            if not d:
                fail("Deployment: --drain-timeout must be given in whole seconds (e.g. 25s)")
            drain = int(d.group(1)) if d else drain
        if pod.get("terminationGracePeriodSeconds", 30) <= int(m.group(1)) + drain:
            fail("Deployment: terminationGracePeriodSeconds must exceed preStop sleep + --drain-timeout")
    res = c.get("resources", {})
    for r in ("cpu", "memory"):
        if r not in res.get("requests", {}) or r not in res.get("limits", {}):
            fail(f"Deployment: resources.requests/limits.{r} missing")
    vols = {v["name"] for v in pod.get("volumes", [])}
    for vm in c.get("volumeMounts", []):
        if vm["name"] not in vols:
            fail(f"Deployment: volumeMount {vm['name']} has no volume")

    svc = k["Service"][0][1]
    if svc["spec"]["selector"].items() - labels.items():
        fail("Service: selector does not match the pod labels")
    for p in svc["spec"]["ports"]:
        if p.get("targetPort") not in ports and p.get("targetPort") != eff_port:
            fail(f"Service: targetPort {p.get('targetPort')} is not a container port")
    pdb = k["PodDisruptionBudget"][0][1]
    if pdb["spec"]["selector"]["matchLabels"].items() - labels.items():
        fail("PodDisruptionBudget: selector does not match the pod labels")
    hpa = k["HorizontalPodAutoscaler"][0][1]
    t = hpa["spec"]["scaleTargetRef"]
    if (t["kind"], t["name"]) != ("Deployment", dep["metadata"]["name"]):
        fail(f"HorizontalPodAutoscaler: scaleTargetRef {t} is not the Deployment")
    if hpa["spec"].get("minReplicas", 1) < pdb["spec"].get("minAvailable", 0) + 1 and "minAvailable" in pdb["spec"]:
        fail("HorizontalPodAutoscaler: minReplicas must exceed the PDB's minAvailable, or drains block")
    sm = k["ServiceMonitor"][0][1]
    if sm["spec"]["selector"]["matchLabels"].items() - svc["metadata"].get("labels", {}).items():
        fail("ServiceMonitor: selector does not match the Service labels")
    svc_ports = {p.get("name"): p.get("targetPort") for p in svc["spec"]["ports"]}
    metrics_port = admin_port or eff_port
    for ep in sm["spec"]["endpoints"]:
        if ep.get("port") not in svc_ports:
            fail(f"ServiceMonitor: port {ep.get('port')} is not a Service port name")
        elif ports.get(svc_ports[ep["port"]], svc_ports[ep["port"]]) != metrics_port:
            fail(f"ServiceMonitor: port {ep.get('port')} does not reach /metrics on {metrics_port}")
        if ("GET", ep.get("path", "/metrics")) not in routes:
            fail(f"ServiceMonitor: path {ep.get('path')} is not a GET route")
    job = svc["metadata"].get("labels", {}).get(sm["spec"].get("jobLabel", ""), svc["metadata"]["name"])
    with open(os.path.join(src, "deploy", "prometheus", "alerts.yml"), encoding="utf-8") as f:
        jobs = set(re.findall(r'job\s*=~?\s*"([^"]+)"', f.read()))
    if jobs and jobs != {job}:
        fail(f"ServiceMonitor: job label {job!r} does not match the alerts' {sorted(jobs)}")


def check_compose(docs, flags, port):
    rel = "deploy/compose/compose.yaml"
    if rel not in docs:
        fail(f"{rel}: missing")
        return
    (c,) = docs[rel]
    svcs = c.get("services", {})
    for name in ("chimera", "ollama", "prometheus", "grafana"):
        if name not in svcs:
            fail(f"{rel}: no service {name}")
    ch = svcs.get("chimera", {})
    cmd = ch.get("command", [])
    check_flags(f"{rel} chimera.command", cmd, flags)
    eff = listen_port(cmd) or port
    targets = [int(str(p).rsplit(":", 1)[1]) for p in ch.get("ports", [])]
    if targets != [eff]:
        fail(f"{rel}: chimera publishes container ports {targets}, it listens on {eff}")
    if "ollama/ollama" not in svcs.get("ollama", {}).get("image", ""):
        fail(f"{rel}: ollama service is not ollama/ollama")
    base = os.path.dirname(rel)
    b = ch.get("build", {})
    paths = [os.path.join(b.get("context", "."), b.get("dockerfile", "Dockerfile"))] if b else []
    for s in svcs.values():
        for v in s.get("volumes", []):
            host = str(v).split(":", 1)[0]
            host = re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", host)
            if host.startswith("."):
                paths.append(host)
    for p in paths:
        if not os.path.exists(os.path.join(SRC, base, p)):
            fail(f"{rel}: relative path {p} does not exist")


def check_prometheus(docs, routes, port):
    (p,) = docs["deploy/prometheus/prometheus.yml"]
    for sc in p.get("scrape_configs", []):
        if sc.get("job_name") == "chimera":
            if ("GET", sc.get("metrics_path", "/metrics")) not in routes:
                fail("prometheus.yml: chimera metrics_path is not a GET route")
            return
    fail("prometheus.yml: no job chimera")


def check_api_doc(src, docs):
    api = docs.get("proto-free-api/openapi.yaml", [{}])[0]
    spec = {(m.upper(), path) for path, ops in api.get("paths", {}).items() for m in ops
            if m in ("get", "post", "put", "delete", "patch", "head", "options")}
    with open(os.path.join(src, "docs", "api.md"), encoding="utf-8") as f:
        doc = set(re.findall(r"(?m)^#{2,}\s+`(GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS) (/\S*)`", f.read()))
    for op in sorted(spec - doc):
        fail(f"docs/api.md: no `## `{op[0]} {op[1]}`` heading for an operation of openapi.yaml")
    for op in sorted(doc - spec):
        fail(f"docs/api.md: documents {op[0]} {op[1]}, which openapi.yaml does not have")
    return spec


def main():
    global SRC
    ap = argparse.ArgumentParser()
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--chimera", required=True)
    a = ap.parse_args()
    SRC = a.source_dir
    docs = load_all(SRC)
    routes = code_routes(SRC)
    flags = help_flags(a.chimera)
    entry, port = check_dockerfile(SRC, flags, routes)
    check_k8s(SRC, docs, flags, routes, entry, port)
    check_compose(docs, flags, port)
    check_prometheus(docs, routes, port)
    spec = check_api_doc(SRC, docs)
    for op in sorted(spec - routes):
        fail(f"openapi.yaml: {op[0]} {op[1]} is not routed in service/api")
    if errors:
        print("\n".join("FAIL " + e for e in errors))
        return 1
    print(f"deploy checks: {len(docs)} YAML/JSON files parse, {len(routes)} routes, {len(flags)} flags, "
          f"{len(spec)} API operations: OK")
    return 0


SRC = "."
if __name__ == "__main__":
    sys.exit(main())
