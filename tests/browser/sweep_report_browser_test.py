#!/usr/bin/env python3
"""The HTML sweep report, rendered by a real browser (headless Chromium; Python 3 stdlib only).

`chimera sweep --from-recorded DIR --format html` writes the page for each recorded reference
study under tests/data/golden; Chromium opens it from a file:// URL and, over the DevTools
protocol, the test checks that:

- it renders without console messages, uncaught exceptions or browser log errors (a CSP violation
  or a failed load would be one); a page that does log an error is caught, so the check is live;
- each chart has exactly one mark per configuration and series (data-config), with a visible box;
- each chart has an axis label, an SVG <title> and <desc>, and a data table beneath it;
- the dark colour scheme changes the page's colours.

Screenshots (light and dark) are kept in --out-dir. Without Chromium the test fails.

Usage: sweep_report_browser_test.py --chimera BIN --chromium BIN --data-dir tests/data --out-dir DIR
"""

import argparse
import base64
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request

TIMEOUT_S = 60


class WebSocket:
    """The client side of RFC 6455, enough for the DevTools protocol: masked text frames out,
    unfragmented or continued text frames in."""

    def __init__(self, url):
        assert url.startswith("ws://"), url
        host_port, _, path = url[len("ws://"):].partition("/")
        host, _, port = host_port.partition(":")
        self.sock = socket.create_connection((host, int(port)), timeout=TIMEOUT_S)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /{path} HTTP/1.1\r\nHost: {host_port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        response = b""
        while b"\r\n\r\n" not in response:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise RuntimeError("DevTools closed the connection during the handshake")
            response += chunk
        head, _, self.buffer = response.partition(b"\r\n\r\n")
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError(f"websocket handshake refused: {head[:200]!r}")

    def send(self, text):
        payload = text.encode()
        mask = os.urandom(4)
        header = bytes([0x81])
        if len(payload) < 126:
            header += bytes([0x80 | len(payload)])
        elif len(payload) < 1 << 16:
            header += bytes([0x80 | 126]) + struct.pack(">H", len(payload))
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", len(payload))
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def _read(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise RuntimeError("DevTools closed the connection")
            self.buffer += chunk
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def receive(self):
        message = b""
        while True:
            first, second = self._read(2)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._read(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(length)
            opcode = first & 0x0F
            if opcode == 0x8:
                raise RuntimeError("DevTools closed the websocket")
            if opcode in (0x9, 0xA):  # ping, pong: not expected from DevTools, ignored
                continue
            message += payload
            if first & 0x80:
                return message.decode()


class Page:
    """One DevTools page target: commands with replies, events collected on the way."""

    def __init__(self, ws_url):
        self.ws = WebSocket(ws_url)
        self.next_id = 0
        self.events = []

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.receive())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def wait_for(self, event):
        deadline = time.monotonic() + TIMEOUT_S
        seen = len(self.events)
        while time.monotonic() < deadline:
            if any(e["method"] == event for e in self.events[seen:]):
                return
            message = json.loads(self.ws.receive())
            if "method" in message:
                self.events.append(message)
        raise RuntimeError(f"no {event} within {TIMEOUT_S} s")

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"evaluating the check failed: {result['exceptionDetails']}")
        return result["result"]["value"]

    def open(self, url):
        """Navigates and waits for the load event; the page's own messages are collected from here."""
        self.events.clear()
        self.call("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")
        self.call("Runtime.evaluate", expression="1")  # flushes the events sent before the load

    def problems(self):
        """Console messages, exceptions and browser log warnings or errors since open()."""
        out = []
        for event in self.events:
            method, params = event["method"], event.get("params", {})
            if method == "Runtime.consoleAPICalled":
                out.append(f"console.{params.get('type')}: {params.get('args')}")
            elif method == "Runtime.exceptionThrown":
                out.append(f"exception: {params.get('exceptionDetails', {}).get('text')}")
            elif method == "Log.entryAdded" and params["entry"]["level"] in ("warning", "error"):
                out.append(f"log {params['entry']['level']}: {params['entry'].get('text')}")
        return out

    def screenshot(self, path):
        self.call("Emulation.clearDeviceMetricsOverride")  # else an earlier page's height is the minimum
        height = int(self.evaluate("document.documentElement.scrollHeight"))
        self.call("Emulation.setDeviceMetricsOverride", width=1000, height=height, deviceScaleFactor=1, mobile=False)
        data = self.call("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))


# Per chart: its marks' configs and series, what makes it accessible, whether a table follows.
CHART_FACTS = """
Array.from(document.querySelectorAll('svg.chart')).map(svg => {
  let next = svg.closest('figure').nextElementSibling;
  const marks = Array.from(svg.querySelectorAll('g.mark'));
  return {
    id: svg.id,
    marks: marks.map(m => [m.dataset.config, m.dataset.series]),
    invisible: marks.filter(m => { const r = m.getBoundingClientRect(); return r.width <= 0 || r.height <= 0; })
                    .map(m => m.dataset.config),
    axisLabel: (svg.querySelector('.axis-label') || {}).textContent || '',
    title: (svg.querySelector(':scope > title') || {}).textContent || '',
    desc: (svg.querySelector(':scope > desc') || {}).textContent || '',
    labelledBy: svg.getAttribute('aria-labelledby') || '',
    tableRows: next && next.tagName === 'TABLE' ? next.querySelectorAll('tbody tr').length : -1,
  };
})
"""


class Browser:
    def __init__(self, chromium, profile):
        self.process = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--remote-debugging-port=0", "--remote-allow-origins=*",
             "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            start_new_session=True)  # its helpers (renderers, crashpad) join its group: close() ends them all
        self.port = self._devtools_port(profile)

    def _devtools_port(self, profile):
        """Chromium writes the port it picked to DevToolsActivePort in its profile."""
        marker = os.path.join(profile, "DevToolsActivePort")
        deadline = time.monotonic() + TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"chromium exited with {self.process.returncode}: {self.process.stderr.read()}")
            if os.path.exists(marker):
                with open(marker, encoding="utf-8") as f:
                    first = f.readline().strip()
                if first.isdigit():
                    return int(first)
            time.sleep(0.05)  # polling interval: the file decides
        raise RuntimeError("chromium did not open its DevTools port")

    def page(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/list", timeout=TIMEOUT_S) as reply:
            targets = json.load(reply)
        page = Page(next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page"))
        for domain in ("Page", "Runtime", "Log"):
            page.call(f"{domain}.enable")
        return page

    def close(self):
        """Ends Chromium and every helper it started: a helper that outlived the browser wrote into
        the profile while the temporary directory holding it was being removed (a CI run failed on it)."""
        group = self.process.pid
        os.killpg(group, signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(group, signal.SIGKILL)
            self.process.wait()
        deadline = time.monotonic() + 10
        while group_alive(group) and time.monotonic() < deadline:
            time.sleep(0.05)  # polling interval: the group's emptiness decides
        if group_alive(group):
            os.killpg(group, signal.SIGKILL)


def group_alive(group):
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def expected_marks(report_json):
    """(config, series) pairs a chart must have: every config once per series."""
    return sorted(c["label"] for c in report_json["configs"])


def check_report(page, name, html_path, report, out_dir):
    page.call("Emulation.setEmulatedMedia", features=[{"name": "prefers-color-scheme", "value": "light"}])
    page.open("file://" + html_path)
    problems = page.problems()
    check(not problems, f"{name}: the page logged {problems}")
    charts = page.evaluate(CHART_FACTS)
    configs = expected_marks(report)
    check(len(charts) >= 3, f"{name}: {len(charts)} charts, expected throughput, TTFT and delta at least")
    for chart in charts:
        where = f"{name} #{chart['id']}"
        series = sorted({s for _, s in chart["marks"]})
        check(len(series) == 1, f"{where}: series {series}, expected one")
        check(sorted(c for c, _ in chart["marks"]) == configs,
              f"{where}: marks for {sorted(c for c, _ in chart['marks'])}, expected one per config {configs}")
        check(not chart["invisible"], f"{where}: marks without a box: {chart['invisible']}")
        check(chart["axisLabel"].strip() != "", f"{where}: no axis label")
        check(chart["title"].strip() != "" and chart["desc"].strip() != "", f"{where}: no <title> or <desc>")
        check(chart["labelledBy"] == f"{chart['id']}-title {chart['id']}-desc", f"{where}: aria-labelledby")
        check(chart["tableRows"] >= len(configs), f"{where}: data table beneath has {chart['tableRows']} rows")
    light = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.screenshot(os.path.join(out_dir, f"{name}.png"))
    page.call("Emulation.setEmulatedMedia", features=[{"name": "prefers-color-scheme", "value": "dark"}])
    dark = page.evaluate("getComputedStyle(document.body).backgroundColor")
    check(light != dark, f"{name}: the same background ({light}) in light and dark")
    page.screenshot(os.path.join(out_dir, f"{name}-dark.png"))
    print(f"{name}: {len(charts)} charts x {len(configs)} configs, {os.path.getsize(html_path)} bytes, "
          f"background {light} / {dark}")


def check_that_errors_are_seen(page, work):
    """The check for console errors must be able to fail: a page that logs one is caught."""
    bad = os.path.join(work, "bad.html")
    with open(bad, "w", encoding="utf-8") as f:
        f.write("<!DOCTYPE html><title>bad</title><script>console.error('deliberate');</script>"
                "<img src='missing.png'>")
    page.open("file://" + bad)
    problems = page.problems()
    check(any("deliberate" in p for p in problems), f"a console.error went unnoticed: {problems}")
    check(any("missing.png" in p or "ERR_FILE_NOT_FOUND" in p for p in problems),
          f"a failed load went unnoticed: {problems}")


def render(chimera, recorded_dir, fmt, path):
    with open(path, "w", encoding="utf-8") as out:
        subprocess.run([chimera, "sweep", "--from-recorded", recorded_dir, "--format", fmt], stdout=out, check=True,
                       timeout=TIMEOUT_S)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--chimera", required=True)
    parser.add_argument("--chromium", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--out-dir", required=True)
    args = parser.parse_args()
    if not shutil.which(args.chromium):
        print(f"FAIL: no chromium at {args.chromium}: apt-get install chromium (scripts/install-deps.sh)")
        return 1
    os.makedirs(args.out_dir, exist_ok=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as work:
        studies = {}
        for name in ("rust_sweep", "python_sweep"):
            recorded = os.path.join(args.data_dir, "golden", name)
            html = os.path.join(args.out_dir, f"{name}.html")
            render(args.chimera, recorded, "html", html)
            render(args.chimera, recorded, "json", os.path.join(work, f"{name}.json"))
            with open(os.path.join(work, f"{name}.json"), encoding="utf-8") as f:
                studies[name] = (html, json.load(f))
        browser = Browser(args.chromium, os.path.join(work, "profile"))
        try:
            page = browser.page()
            for name, (html, report) in studies.items():
                check_report(page, name, html, report, args.out_dir)
            check_that_errors_are_seen(page, work)
        finally:
            browser.close()
    for message in failures:
        print("FAIL:", message)
    print(f"{'ok' if not failures else f'{len(failures)} failure(s)'} in {time.monotonic() - started:.1f} s; "
          f"screenshots in {args.out_dir}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
