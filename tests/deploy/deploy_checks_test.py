#!/usr/bin/env python3
"""Deployment and contract checks (issue 6): every YAML/JSON under deploy/ and proto-free-api/ parses;
the Dockerfile, deploy/k8s/ and deploy/compose/ use ports, paths and flags the code has; docs/api.md
and proto-free-api/openapi.yaml list the same operations. Issue 15: no manifest runs more than one
replica on the embedded store (SQLite in the state directory, one process), and the shared store's
address comes from a Secret, never a literal; deliberately wrong manifests must be rejected.
  deploy_checks_test.py --source-dir DIR --chimera PATH/TO/chimera
"""
import argparse, copy, glob, json, os, re, subprocess, sys, tempfile
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


# The shared store's flags (issue 15) arrive with the PostgreSQL store, which is being written beside
# the deployment files. Until `chimera serve --help` lists --store, deploy/k8s/postgres/ may use them
# unchecked; from then on they are checked like every other flag.
STORE_FLAGS = {"--store", "--store-password-file"}
# The Dockerfile's runtime-shared-store target: the default image holds a static chimera that cannot
# load libpq, which --store needs (it is loaded, not linked: service/store/src/libpq_api.cpp).
SHARED_STORE_TAG_SUFFIX = "-postgres"


def check_flags(where, args, flags):
    pending = STORE_FLAGS if "--store" not in flags else set()
    for a in args:
        flag = str(a).split("=", 1)[0]
        if flag.startswith("--") and flag not in flags and flag not in pending:
            fail(f"{where}: flag {flag} is not in `chimera serve --help`")


def secret_mounts(container, pod):
    secrets = {v["name"] for v in pod.get("volumes", []) if "secret" in v}
    return [m for m in container.get("volumeMounts", []) if m["name"] in secrets and m.get("readOnly")]


def check_secret_file(container, pod, args, flag):
    """`flag`'s file must lie under a read-only mount of a Secret: tokens and passwords never live in
    the image or the manifest."""
    if flag not in args:
        return
    path = args[args.index(flag) + 1]
    if not any(path.startswith(m["mountPath"].rstrip("/") + "/") for m in secret_mounts(container, pod)):
        fail(f"Deployment: {flag} {path} is not under a read-only Secret volume mount")


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


def dockerfile_stages(joined):
    """[(base, name, text)] of each FROM … [AS name] and the lines up to the next FROM."""
    starts = [m for m in re.finditer(r"(?m)^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", joined)]
    return [(m.group(1), m.group(2) or "", joined[m.start():(starts[k + 1].start() if k + 1 < len(starts) else None)])
            for k, m in enumerate(starts)]


def check_dockerfile(src, flags, routes):
    with open(os.path.join(src, "Dockerfile"), encoding="utf-8") as f:
        text = f.read()
    joined = re.sub(r"\\\n", " ", text)
    stages = dockerfile_stages(joined)
    if len(stages) < 2 or not stages[0][0].startswith("debian:bookworm") or stages[-1][0] != "scratch":
        fail(f"Dockerfile: expected a debian:bookworm build stage and a FROM scratch runtime last (the default "
             f"target), got {[(b, n) for b, n, _ in stages]}")
    with open(os.path.join(src, "deploy", "image-rootfs.sh"), encoding="utf-8") as f:
        rootfs_script = f.read()
    if "strip " not in rootfs_script:
        fail("deploy/image-rootfs.sh: the binary is not stripped")
    checked = [check_runtime_stage(name, stage, joined, flags, routes) for base, name, stage in stages
               if base == "scratch"]
    return checked[-1]


def check_runtime_stage(name, stage, joined, flags, routes):
    """One FROM scratch stage: deploy/image-rootfs.sh's file set, run as a non-root user, chimera serve on
    the port it exposes and probes."""
    rootfs = re.search(r"(?m)^COPY --from=(\S+) (/rootfs[\w-]*)/ /$", stage)
    if not rootfs or not re.search(r"(?m)^RUN .*deploy/image-rootfs\.sh (--with-libpq )?\S+/bin/chimera "
                                   + re.escape(rootfs.group(2)) + r"(\s|$)", joined):
        fail(f"Dockerfile {name}: the runtime must be deploy/image-rootfs.sh's file set (COPY --from=… /rootfs/ /)")
    user = re.findall(r"(?m)^USER\s+(\S+)", stage)
    if not user or user[-1].split(":")[0] in ("0", "root"):
        fail(f"Dockerfile {name}: the runtime must run as a non-root USER")
    if not re.search(r"(?m)^VOLUME\s", stage):
        fail(f"Dockerfile {name}: no VOLUME for the state dir")
    m = re.search(r"(?m)^ENTRYPOINT\s+(\[.*\])\s*$", stage)
    entry = json.loads(m.group(1)) if m else []
    if entry[:2] != ["chimera", "serve"]:
        fail(f"Dockerfile {name}: ENTRYPOINT must be chimera serve, got {entry}")
    check_flags("Dockerfile ENTRYPOINT", entry, flags)
    port = listen_port(entry)
    expose = [int(p.split("/")[0]) for p in re.findall(r"(?m)^EXPOSE\s+(\S+)", stage)]
    if port is None or expose != [port]:
        fail(f"Dockerfile {name}: EXPOSE {expose} != ENTRYPOINT --listen port {port}")
    hc = re.search(r"(?m)^HEALTHCHECK\s.*CMD\s(.*)$", stage)
    if not hc:
        fail(f"Dockerfile {name}: no HEALTHCHECK")
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


def k8s_sets(docs):
    """The directories under deploy/k8s/ that hold a kustomization.yaml: each one complete deployment
    (deploy/k8s/sqlite/, deploy/k8s/postgres/). A manifest outside them would be applied by nobody."""
    sets = sorted({os.path.dirname(r) + "/" for r in docs
                   if r.startswith("deploy/k8s/") and os.path.basename(r) == "kustomization.yaml"})
    for rel in docs:
        if rel.startswith("deploy/k8s/") and not any(rel.startswith(d) for d in sets):
            fail(f"{rel}: not in a deploy/k8s/ directory with a kustomization.yaml")
    if not sets:
        fail("deploy/k8s/: no kustomization.yaml")
    return sets


def check_k8s(src, docs, flags, routes, entry, port):
    sets = k8s_sets(docs)
    for prefix in sets:
        check_k8s_set(prefix, docs, flags, routes, port)
    if {"deploy/k8s/sqlite/", "deploy/k8s/postgres/"} <= set(sets):
        check_variants_agree(docs)


def without_store(dep):
    """A Deployment with what only concerns the store taken out: replicas, strategy, the store's env
    entries, flags and Secret volume, and the state volume's source."""
    dep = copy.deepcopy(dep)
    dep["spec"].pop("replicas", None)
    dep["spec"].pop("strategy", None)
    pod = dep["spec"]["template"]["spec"]
    c = pod["containers"][0]
    # The shared store's image is the same build with libpq beside it: the tag says which.
    c["image"] = c.get("image", "").removesuffix(SHARED_STORE_TAG_SUFFIX)
    c["env"] = [e for e in c.get("env", []) if e["name"] not in ("CHIMERA_STORE_URL", "PGPASSFILE")]
    if not c["env"]:
        del c["env"]
    args, kept = [str(a) for a in c.get("args", [])], []
    i = 0
    while i < len(args):
        if args[i] in STORE_FLAGS:
            i += 2
            continue
        kept.append(args[i])
        i += 1
    c["args"] = kept
    store = {v["name"] for v in pod.get("volumes", []) if v.get("secret", {}).get("secretName") == "chimera-store"}
    c["volumeMounts"] = [m for m in c.get("volumeMounts", []) if m["name"] not in store]
    pod["volumes"] = [{"name": v["name"]} if v["name"] == "state" else v
                      for v in pod.get("volumes", []) if v["name"] not in store]
    return dep


def check_variants_agree(docs):
    """deploy/k8s/sqlite/ and deploy/k8s/postgres/ are two complete sets, not a base and overlays: they
    must stay the same but for the store, or a fix made to one would silently miss the other."""
    def one(rel, kind):
        return [d for d in docs.get(rel, []) if d.get("kind") == kind]
    for name, kind, strip in (("deployment.yaml", "Deployment", without_store),
                              ("configmap.yaml", "ConfigMap", copy.deepcopy),
                              ("service.yaml", "Service", copy.deepcopy),
                              ("servicemonitor.yaml", "ServiceMonitor", copy.deepcopy)):
        a = one("deploy/k8s/sqlite/" + name, kind)
        b = one("deploy/k8s/postgres/" + name, kind)
        if len(a) != 1 or len(b) != 1 or strip(a[0]) != strip(b[0]):
            fail(f"deploy/k8s/sqlite/{name} and deploy/k8s/postgres/{name} differ beyond the store: "
                 "change both the same way")


def env_of(container):
    return {e["name"]: e for e in container.get("env", [])}


def store_address(container, args):
    """How the Deployment names a shared store: the CHIMERA_STORE_URL env entry or a --store argument;
    None on the embedded store."""
    env = env_of(container)
    if "CHIMERA_STORE_URL" in env:
        return env["CHIMERA_STORE_URL"]
    for i, a in enumerate(args):
        if a == "--store":
            return args[i + 1] if i + 1 < len(args) else ""
        if a.startswith("--store="):
            return a.split("=", 1)[1]
    return None


def check_store(prefix, k, dep, c, pod, args, cm):
    """Issue 15. The embedded store is one process: its Deployment runs one replica, no HPA targets it,
    it is replaced with Recreate and its state directory is a PersistentVolumeClaim of the set. The
    shared store's address (which may hold credentials) comes from a Secret, never from a literal."""
    name = dep["metadata"]["name"]
    replicas = dep["spec"].get("replicas", 1)
    hpas = [h for _, h in k.get("HorizontalPodAutoscaler", [])
            if (h["spec"]["scaleTargetRef"].get("kind"), h["spec"]["scaleTargetRef"].get("name")) == ("Deployment", name)]
    address = store_address(c, args)
    if address is not None and not c.get("image", "").endswith(SHARED_STORE_TAG_SUFFIX):
        fail(f"{prefix}: image {c.get('image')!r} on the shared store: the default image cannot load libpq; use the "
             f"Dockerfile's runtime-shared-store target, tagged …{SHARED_STORE_TAG_SUFFIX}")
    for key, value in cm.get("data", {}).items():
        if key == "CHIMERA_STORE_URL" or re.search(r"postgres(ql)?://", str(value)):
            fail(f"{prefix}: ConfigMap {key} holds the store's address as a literal: take it from a Secret")
    for a in args:
        if re.search(r"postgres(ql)?://", a):
            fail(f"{prefix}: Deployment args hold a literal store address {a!r}: take it from a Secret")
        if a.split("=", 1)[0] == "--store-password":
            fail(f"{prefix}: a password on the command line ({a}): use --store-password-file")
    for env_name, e in env_of(c).items():
        if env_name in ("CHIMERA_STORE_URL", "PGPASSWORD") and "value" in e:
            fail(f"{prefix}: Deployment env {env_name} is a literal: take it from a Secret (valueFrom.secretKeyRef)")
        if re.search(r"postgres(ql)?://", str(e.get("value", ""))):
            fail(f"{prefix}: Deployment env {env_name} holds a literal store address: take it from a Secret")
    if address is None:
        if replicas > 1:
            fail(f"{prefix}: Deployment runs {replicas} replicas on the embedded store (no CHIMERA_STORE_URL or "
                 "--store postgresql://): SQLite in the state directory is one process; run one replica or "
                 "use the shared store")
        for h in hpas:
            fail(f"{prefix}: HorizontalPodAutoscaler {h['metadata']['name']} scales the Deployment on the embedded "
                 "store, which runs one replica only")
        if dep["spec"].get("strategy", {}).get("type", "RollingUpdate") != "Recreate":
            fail(f"{prefix}: Deployment on the embedded store needs strategy Recreate: a rolling update would run "
                 "two pods on one state directory")
        for _, pdb in k.get("PodDisruptionBudget", []):
            fail(f"{prefix}: PodDisruptionBudget {pdb['metadata']['name']} on a one-replica Deployment blocks every "
                 "node drain")
        state = [m["name"] for m in c.get("volumeMounts", []) if m["mountPath"].rstrip("/") == "/var/lib/chimera"]
        volumes = {v["name"]: v for v in pod.get("volumes", [])}
        claims = {d["metadata"]["name"] for _, d in k.get("PersistentVolumeClaim", [])}
        claim = volumes.get(state[0], {}).get("persistentVolumeClaim", {}).get("claimName") if state else None
        if claim is None:
            fail(f"{prefix}: the embedded store's state directory /var/lib/chimera is not a PersistentVolumeClaim: "
                 "the queue and the results would go with the pod")
        elif claim not in claims:
            fail(f"{prefix}: PersistentVolumeClaim {claim} is not defined in the set")
        return
    if isinstance(address, dict):
        ref = address.get("valueFrom", {}).get("secretKeyRef")
        if not ref or "value" in address:
            fail(f"{prefix}: CHIMERA_STORE_URL must come from a Secret (valueFrom.secretKeyRef), got {address}")
    else:
        var = re.fullmatch(r"\$\((\w+)\)", address)
        ref = env_of(c).get(var.group(1), {}).get("valueFrom", {}).get("secretKeyRef") if var else None
        if not ref:
            fail(f"{prefix}: --store {address!r} is not $(VAR) of an env entry taken from a Secret")
    check_secret_file(c, pod, args, "--store-password-file")
    pgpass = env_of(c).get("PGPASSFILE", {}).get("value")
    if pgpass and pod.get("securityContext", {}).get("fsGroup") is not None and any(
            pgpass.startswith(m["mountPath"].rstrip("/") + "/") for m in secret_mounts(c, pod)):
        fail(f"{prefix}: PGPASSFILE {pgpass} is in a Secret volume of a pod with fsGroup: Kubernetes makes it "
             "group-readable and libpq ignores such a file; use --store-password-file")


def check_k8s_set(prefix, docs, flags, routes, port):
    k = by_kind(docs, prefix)
    for kind in ("Deployment", "Service", "ConfigMap", "ServiceMonitor", "Kustomization"):
        if len(k.get(kind, [])) != 1:
            fail(f"{prefix}: expected one {kind}, found {len(k.get(kind, []))}")
            return
    for kind in ("PodDisruptionBudget", "HorizontalPodAutoscaler"):
        if len(k.get(kind, [])) > 1:
            fail(f"{prefix}: expected at most one {kind}, found {len(k[kind])}")
            return
    kust = k["Kustomization"][0][1]
    listed = set(kust.get("resources", []))
    files = {os.path.relpath(r, prefix) for r in docs if r.startswith(prefix)} - {"kustomization.yaml"}
    if listed != files:
        fail(f"{prefix}kustomization.yaml resources {sorted(listed)} != files {sorted(files)}")
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
    check_flags(f"{prefix} Deployment args", args, flags)
    check_store(prefix, k, dep, c, pod, [str(a) for a in args], cm)
    eff_port = listen_port(args) or port
    admin_port = listen_port(args, "--admin-listen")
    ports = {p.get("name"): p["containerPort"] for p in c.get("ports", [])}
    if sorted(ports.values()) != sorted(p for p in (eff_port, admin_port) if p):
        fail(f"Deployment: containerPorts {list(ports.values())} != --listen {eff_port}, --admin-listen {admin_port}")
    check_secret_file(c, pod, [str(a) for a in args], "--auth-token-file")
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
    pdb = k["PodDisruptionBudget"][0][1] if k.get("PodDisruptionBudget") else None
    if pdb and pdb["spec"]["selector"]["matchLabels"].items() - labels.items():
        fail("PodDisruptionBudget: selector does not match the pod labels")
    hpa = k["HorizontalPodAutoscaler"][0][1] if k.get("HorizontalPodAutoscaler") else None
    if hpa:
        t = hpa["spec"]["scaleTargetRef"]
        if (t["kind"], t["name"]) != ("Deployment", dep["metadata"]["name"]):
            fail(f"HorizontalPodAutoscaler: scaleTargetRef {t} is not the Deployment")
    least = hpa["spec"].get("minReplicas", 1) if hpa else dep["spec"].get("replicas", 1)
    if pdb and "minAvailable" in pdb["spec"] and least < pdb["spec"]["minAvailable"] + 1:
        fail(f"{prefix}: the fewest replicas ({least}) must exceed the PDB's minAvailable, or drains block")
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
    with open(os.path.join(SRC, "deploy", "prometheus", "alerts.yml"), encoding="utf-8") as f:
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
    check_compose_store(rel, svcs)
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


def compose_env(service):
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(str(e).split("=", 1) if "=" in str(e) else (str(e), "") for e in env)
    return env


def check_compose_store(rel, svcs):
    """Issue 15 in compose: several chimera services only on the shared store, whose address holds
    no password (that comes from a secret's file)."""
    chimeras = {n: s for n, s in svcs.items() if n == "chimera" or n.startswith("chimera-")}
    for name, svc in chimeras.items():
        url = compose_env(svc).get("CHIMERA_STORE_URL")
        if url is None and len(chimeras) > 1:
            fail(f"{rel}: {name} is one of {len(chimeras)} chimera services but has no CHIMERA_STORE_URL: "
                 "the embedded store is one process")
        if url is not None and re.search(r"://[^/@]*:[^/@]*@", str(url)):
            fail(f"{rel}: {name}'s CHIMERA_STORE_URL holds a password: use --store-password-file")
    return chimeras


def nginx_directives(text):
    """(directive, arguments) of every simple directive of an nginx config, comments removed."""
    text = re.sub(r"#[^\n]*", "", text)
    return [(m.group(1), m.group(2).split()) for m in re.finditer(r"(?m)^\s*([a-z_]+)\s+([^;{]*);", text)]


def check_nginx_syntax(addresses):
    """`nginx -t` on deploy/nginx/nginx.conf, its compose host names replaced by a loopback address
    (they resolve only inside compose) and its logs and pid moved to a temporary directory."""
    with open(os.path.join(SRC, "deploy", "nginx", "nginx.conf"), encoding="utf-8") as f:
        text = f.read()
    for address in addresses:
        text = text.replace(address, "127.0.0.1:" + address.rsplit(":", 1)[1])
    with tempfile.TemporaryDirectory() as tmp:
        text = text.replace("/dev/stdout", tmp + "/access.log").replace("/dev/stderr", tmp + "/error.log")
        with open(os.path.join(tmp, "nginx.conf"), "w", encoding="utf-8") as f:
            f.write(text)
        try:
            out = subprocess.run(["/usr/sbin/nginx", "-t", "-p", tmp, "-e", tmp + "/error.log", "-c",
                                  tmp + "/nginx.conf", "-g", f"pid {tmp}/nginx.pid;"],
                                 capture_output=True, text=True, timeout=30)
        except FileNotFoundError:
            fail("/usr/sbin/nginx is missing (scripts/install-deps.sh installs it): deploy/nginx/nginx.conf unchecked")
            return
        if out.returncode != 0:
            fail(f"deploy/nginx/nginx.conf: nginx -t fails:\n{out.stderr}")


def check_compose_replicas(docs, flags, port):
    """deploy/compose/replicas.yaml: chimera replicas on PostgreSQL behind deploy/nginx/nginx.conf, all
    scraped by Prometheus."""
    rel = "deploy/compose/replicas.yaml"
    if rel not in docs:
        fail(f"{rel}: missing")
        return
    (c,) = docs[rel]
    svcs = c.get("services", {})
    chimeras = check_compose_store(rel, svcs)
    if len(chimeras) < 2:
        fail(f"{rel}: expected several chimera-N services, found {sorted(chimeras)}")
    for name in ("postgres", "nginx", "prometheus", "ollama"):
        if name not in svcs:
            fail(f"{rel}: no service {name}")
    addresses = set()
    for name, svc in chimeras.items():
        cmd = [str(a) for a in svc.get("command", [])]
        check_flags(f"{rel} {name}.command", cmd, flags)
        addresses.add(f"{name}:{listen_port(cmd) or port}")
        if "--store-password-file" in cmd:
            path = cmd[cmd.index("--store-password-file") + 1]
            secrets = {str(x if isinstance(x, str) else x.get("source")) for x in svc.get("secrets", [])}
            if not any(path == f"/run/secrets/{s}" for s in secrets):
                fail(f"{rel}: {name} reads --store-password-file {path}, which is not one of its secrets {secrets}")
    nginx = svcs.get("nginx", {})
    if not any(str(v).startswith("../nginx/nginx.conf:") for v in nginx.get("volumes", [])):
        fail(f"{rel}: nginx does not mount ../nginx/nginx.conf")
    with open(os.path.join(SRC, "deploy", "nginx", "nginx.conf"), encoding="utf-8") as f:
        directives = nginx_directives(f.read())
    upstreams = {args[0] for d, args in directives if d == "server" and args}
    if upstreams != addresses:
        fail(f"deploy/nginx/nginx.conf: upstream servers {sorted(upstreams)} != the chimera services {sorted(addresses)}")
    values = {}
    for d, args in directives:
        values.setdefault(d, []).append(args)
    retry = values.get("proxy_next_upstream", [[]])
    if any("non_idempotent" in a for a in retry) or not all("http_503" in a and "error" in a for a in retry):
        fail(f"deploy/nginx/nginx.conf: proxy_next_upstream {retry}: want error and http_503, never non_idempotent "
             "(a POST that reached a replica must not reach a second one)")
    for directive, wanted in (("proxy_buffering", ["off"]), ("proxy_http_version", ["1.1"])):
        if wanted not in values.get(directive, []):
            fail(f"deploy/nginx/nginx.conf: no `{directive} {' '.join(wanted)};`")
    if "keepalive" not in values:
        fail("deploy/nginx/nginx.conf: no keepalive connections to the upstreams")
    if ["X-Forwarded-For", "$proxy_add_x_forwarded_for"] not in values.get("proxy_set_header", []):
        fail("deploy/nginx/nginx.conf: X-Forwarded-For is not passed on")
    check_nginx_syntax(addresses)
    scrape = " ".join(str(x) for x in svcs.get("prometheus", {}).get("entrypoint", []))
    for address in addresses:
        if f"'{address}'" not in scrape:
            fail(f"{rel}: Prometheus does not scrape {address}")


def check_prometheus(docs, routes, port):
    (p,) = docs["deploy/prometheus/prometheus.yml"]
    for sc in p.get("scrape_configs", []):
        if sc.get("job_name") == "chimera":
            if ("GET", sc.get("metrics_path", "/metrics")) not in routes:
                fail("prometheus.yml: chimera metrics_path is not a GET route")
            return
    fail("prometheus.yml: no job chimera")


def collect(check, *args):
    """The failures `check` reports, kept apart from this run's own."""
    global errors
    saved, errors = errors, []
    try:
        check(*args)
    finally:
        found, errors = errors, saved
    return found


def container_of(docs, rel):
    (dep,) = [d for d in docs[rel] if d.get("kind") == "Deployment"]
    return dep, dep["spec"]["template"]["spec"]["containers"][0]


def self_test(docs, flags, routes, port):
    """The store rules must reject deliberately wrong sets: each case copies a real set, breaks one
    thing, writes it to a temporary directory, loads it back like the real files and must fail with
    the expected message; the unbroken copies must pass, or the rejections would prove nothing."""
    def sqlite_replicas(d):
        container_of(d, "deploy/k8s/sqlite/deployment.yaml")[0]["spec"]["replicas"] = 2

    def sqlite_hpa(d):
        d["deploy/k8s/sqlite/hpa.yaml"] = copy.deepcopy(d["deploy/k8s/postgres/hpa.yaml"])
        d["deploy/k8s/sqlite/kustomization.yaml"][0]["resources"].append("hpa.yaml")

    def sqlite_rolling(d):
        container_of(d, "deploy/k8s/sqlite/deployment.yaml")[0]["spec"]["strategy"] = {"type": "RollingUpdate"}

    def sqlite_emptydir(d):
        dep, _ = container_of(d, "deploy/k8s/sqlite/deployment.yaml")
        for v in dep["spec"]["template"]["spec"]["volumes"]:
            if "persistentVolumeClaim" in v:
                del v["persistentVolumeClaim"]
                v["emptyDir"] = {}

    def postgres_without_store(d):
        _, c = container_of(d, "deploy/k8s/postgres/deployment.yaml")
        c["env"] = [e for e in c.get("env", []) if e["name"] != "CHIMERA_STORE_URL"]

    def postgres_literal_env(d):
        _, c = container_of(d, "deploy/k8s/postgres/deployment.yaml")
        for e in c["env"]:
            if e["name"] == "CHIMERA_STORE_URL":
                e.pop("valueFrom", None)
                e["value"] = "postgresql://chimera:secret@postgres/chimera"

    def postgres_literal_flag(d):
        _, c = container_of(d, "deploy/k8s/postgres/deployment.yaml")
        c["env"] = [e for e in c.get("env", []) if e["name"] != "CHIMERA_STORE_URL"]
        c["args"] += ["--store", "postgresql://chimera:secret@postgres/chimera"]

    def postgres_configmap_dsn(d):
        (cm,) = d["deploy/k8s/postgres/configmap.yaml"]
        cm["data"]["CHIMERA_STORE_URL"] = "postgresql://postgres/chimera"

    def postgres_drifts(d):
        _, c = container_of(d, "deploy/k8s/postgres/deployment.yaml")
        c["resources"]["limits"]["memory"] = "512Mi"

    cases = [
        ("postgres's Deployment changed alone", postgres_drifts, "differ beyond the store"),
        ("sqlite, 2 replicas", sqlite_replicas, "runs 2 replicas on the embedded store"),
        ("sqlite, an HPA", sqlite_hpa, "scales the Deployment on the embedded store"),
        ("sqlite, RollingUpdate", sqlite_rolling, "needs strategy Recreate"),
        ("sqlite, state on emptyDir", sqlite_emptydir, "is not a PersistentVolumeClaim"),
        ("postgres without a store address", postgres_without_store, "replicas on the embedded store"),
        ("postgres, CHIMERA_STORE_URL a literal", postgres_literal_env, "must come from a Secret"),
        ("postgres, --store a literal", postgres_literal_flag, "literal store address"),
        ("postgres, address in the ConfigMap", postgres_configmap_dsn, "as a literal"),
    ]
    real = {r: ds for r, ds in docs.items() if r.startswith("deploy/k8s/")}
    for name, breaks, expected in [("unbroken", None, None)] + cases:
        broken = copy.deepcopy(real)
        if breaks:
            breaks(broken)
        with tempfile.TemporaryDirectory() as tmp:
            for rel, ds in broken.items():
                os.makedirs(os.path.dirname(os.path.join(tmp, rel)), exist_ok=True)
                with open(os.path.join(tmp, rel), "w", encoding="utf-8") as f:
                    yaml.safe_dump_all(ds, f)
            loaded = load_all(tmp)
        found = collect(check_k8s, None, loaded, flags, routes, None, port)
        if expected is None and found:
            fail(f"self-test: the real sets, rewritten to a temporary directory, fail: {found}")
        elif expected is not None and not any(expected in f for f in found):
            fail(f"self-test: a wrong set ({name}) is not rejected with {expected!r}; reported: {found}")
    return len(cases)


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
    wrong_sets = self_test(docs, flags, routes, port)
    check_compose(docs, flags, port)
    check_compose_replicas(docs, flags, port)
    check_prometheus(docs, routes, port)
    spec = check_api_doc(SRC, docs)
    for op in sorted(spec - routes):
        fail(f"openapi.yaml: {op[0]} {op[1]} is not routed in service/api")
    if errors:
        print("\n".join("FAIL " + e for e in errors))
        return 1
    print(f"deploy checks: {len(docs)} YAML/JSON files parse, {len(routes)} routes, {len(flags)} flags, "
          f"{len(spec)} API operations, {wrong_sets} wrong manifests rejected: OK")
    return 0


SRC = "."
if __name__ == "__main__":
    sys.exit(main())
