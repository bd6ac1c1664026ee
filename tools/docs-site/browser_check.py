#!/usr/bin/env python3
"""The built site as a reader's browser shows it: headless Chromium opens the home page, a how-to and a reference page
(served over HTTP, as the search's worker needs), and each must render its navigation and its search box, and a search
typed there must list results (the worker loaded the index and answered). A screenshot of each page is kept.

    browser_check.py SITE_DIR SCREENSHOT_DIR [PAGE ...]

Speaks the DevTools protocol over a WebSocket with the standard library alone (no Selenium, no Node.js). Exit status 1
when a page lacks its navigation or search box or a search finds nothing, 2 when Chromium cannot be started.
"""
import base64
import functools
import http.server
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

PAGES = ["index.html", "how-to/backups-and-restore.html", "reference/percoreservice.html"]
QUERY = "backup"
BOUND = 30  # seconds a page has to render and answer a search: a bound on a hang, not a timing


class DevTools:
    """One page's DevTools WebSocket: RFC 6455 text frames, masked as a client's must be."""

    def __init__(self, url):
        host_port, path = url[len("ws://"):].split("/", 1)
        host, port = host_port.split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=BOUND)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /{path} HTTP/1.1\r\nHost: {host_port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise OSError("DevTools closed during the handshake")
            head += chunk
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise OSError("DevTools refused the WebSocket: " + head.split(b"\r\n", 1)[0].decode())
        self.buffer = head.split(b"\r\n\r\n", 1)[1]
        self.next_id = 0

    def _read(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise OSError("DevTools closed the WebSocket")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def _send(self, text):
        payload = text.encode()
        header = bytes([0x81])
        if len(payload) < 126:
            header += bytes([0x80 | len(payload)])
        elif len(payload) < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", len(payload))
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", len(payload))
        mask = os.urandom(4)
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def _message(self):
        parts = []
        while True:
            first, second = self._read(2)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._read(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._read(8))[0]
            parts.append(self._read(length))
            if first & 0x80:  # FIN
                return b"".join(parts).decode()

    def call(self, method, **params):
        self.next_id += 1
        self._send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:  # events arrive in between: skipped
            reply = json.loads(self._message())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise OSError(f"{method}: {reply['error']}")
                return reply["result"]

    def evaluate(self, expression):
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")

    def until(self, expression):
        deadline = time.monotonic() + BOUND
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.1)
        return None


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(site):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=site))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def screenshot(devtools, shots, name):
    path = os.path.join(shots, name)
    with open(path, "wb") as f:
        f.write(base64.b64decode(devtools.call("Page.captureScreenshot", format="png")["data"]))
    return path


def check_page(devtools, base, page, shots):
    problems = []
    stem = page.replace("/", "_").replace(".html", "")
    devtools.call("Page.navigate", url=f"{base}/{page}")
    if not devtools.until("document.readyState === 'complete' && document.querySelector('nav.md-nav--primary') !== null"):
        problems.append("no navigation (nav.md-nav--primary)")
    if not devtools.until("document.querySelector('input[data-md-component=search-query]') !== null"):
        problems.append("no search box")
    title = devtools.evaluate("document.title")
    plain = screenshot(devtools, shots, stem + ".png")
    # ?q= opens the search with that query once the worker has the index (Material's search-query parameter)
    devtools.call("Page.navigate", url=f"{base}/{page}?q={QUERY}")
    results = devtools.until("document.querySelectorAll('.md-search-result__item').length")
    meta = devtools.evaluate("(document.querySelector('.md-search-result__meta') || {}).textContent || ''").strip()
    if not results:
        problems.append(f"a search for '{QUERY}' listed no result (the search's own line: {meta!r})")
    searched = screenshot(devtools, shots, stem + "-search.png")
    shown = "missing" if any(p.startswith("no ") for p in problems) else "shown"
    print(f"browser_check: {page}: '{title}', navigation and search box {shown}; '{QUERY}': {results or 0} results "
          f"({meta}); screenshots {plain}, {searched}")
    return problems


def main():
    site, shots = sys.argv[1], sys.argv[2]
    pages = sys.argv[3:] or PAGES
    browser = chromium()
    if browser is None:
        print("browser_check: no Chromium (apt-get install -y chromium)", file=sys.stderr)
        return 2
    os.makedirs(shots, exist_ok=True)
    server = serve(site)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    profile = tempfile.mkdtemp(prefix="browser-check-")
    process = subprocess.Popen([browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                "--remote-debugging-port=0", f"--user-data-dir={profile}", "--window-size=1280,900",
                                "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    failures = []
    try:
        active = os.path.join(profile, "DevToolsActivePort")
        deadline = time.monotonic() + BOUND
        while not (os.path.exists(active) and open(active).read().count("\n") >= 1):
            if process.poll() is not None or time.monotonic() > deadline:
                print("browser_check: Chromium did not start", file=sys.stderr)
                return 2
            time.sleep(0.1)
        port = open(active).read().split("\n")[0].strip()
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=BOUND))
        page_target = next(t for t in targets if t.get("type") == "page")
        devtools = DevTools(page_target["webSocketDebuggerUrl"])
        devtools.call("Page.enable")
        for page in pages:
            failures += [f"{page}: {p}" for p in check_page(devtools, base, page, shots)]
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        server.shutdown()
        shutil.rmtree(profile, ignore_errors=True)
    for failure in failures:
        print("browser_check: " + failure, file=sys.stderr)
    print(f"browser_check: {len(pages)} pages, {len(failures)} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
