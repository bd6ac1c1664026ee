#!/usr/bin/env python3
"""Attacks the demo as issue 12's hostile client and fault injector did, against the real jar.

Each attack starts a fresh demo (loopback only, -Xmx512m, 2 shards, overprovisioned), does what
the issue's reproduction did (bounded in count and time), and checks what must happen instead.
It prints one PASS/FAIL line per attack with the figures it measured, and exits non-zero if any
failed. Not part of `./mvnw verify` (the unit and integration tests pin each behaviour there);
this is the end-to-end check with real redis-benchmark, curl-like clients and signals.

usage: benchmarks/attacks/run-attacks.py [attack ...]      (all by default; about 3 minutes)
env:   PERCORE_JAR (default: demo-service/target/percore-demo-service-*-exec.jar)
"""
import glob
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RESULTS = []


def jar():
    explicit = os.environ.get("PERCORE_JAR")
    if explicit:
        return explicit
    found = sorted(glob.glob(os.path.join(ROOT, "demo-service/target/percore-demo-service-*-exec.jar")))
    if not found:
        subprocess.run(["./mvnw", "-B", "-q", "-pl", "demo-service", "-am", "package", "-DskipTests"], cwd=ROOT, check=True)
        found = sorted(glob.glob(os.path.join(ROOT, "demo-service/target/percore-demo-service-*-exec.jar")))
    return found[-1]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Demo:
    """One demo process with free ports; its log goes to a temp file."""

    def __init__(self, *args, ulimit=None):
        self.resp, self.http, self.mgmt = free_port(), free_port(), free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="percore-attack-", suffix=".log", delete=False)
        cmd = ["java", "-Xms256m", "-Xmx512m", "-XX:+ExitOnOutOfMemoryError", "-jar", jar(),
               f"--percore.servers.resp.port={self.resp}", f"--percore.servers.http.port={self.http}",
               f"--management.server.port={self.mgmt}", "--percore.engine.shards=2",
               "--percore.engine.mode=overprovisioned", *args]
        if ulimit:
            cmd = ["bash", "-c", f"ulimit -n {ulimit}; exec \"$@\"", "bash", *cmd]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PERCORE_")}
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, env=env)

    def wait_ready(self, timeout=90):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                # The whole application is up when Actuator answers too (it starts after the shards).
                if resp(self.resp, b"PING\r\n", timeout=1)[:7] in (b"+PONG\r\n", b"-NOAUTH") and http(
                        self.mgmt, b"GET /actuator/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                        timeout=2).startswith(b"HTTP/1.1 "):
                    return True
            except OSError:
                pass
            time.sleep(0.3)
        return False

    def log_text(self):
        with open(self.log.name, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self, timeout=60):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return None
        return self.proc.returncode


def resp(port, payload, timeout=5.0, until_close=False):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(payload)
        if until_close:
            s.shutdown(socket.SHUT_WR)
        out = b""
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            out += chunk
            if not until_close and out.endswith(b"\r\n"):
                break
        return out


def cmd(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def http(port, raw, timeout=10.0):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(raw)
        out = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
        except socket.timeout:
            out += b"<no close>"
        return out


def record(name, ok, detail):
    RESULTS.append((name, ok))
    print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}", flush=True)


# ---------------------------------------------------------------------------------- the attacks

def attack_big_values(*extra):
    """Row 1: 50 clients writing 100 KB values must meet the memory budget, not OutOfMemoryError."""
    demo = Demo(*extra)
    try:
        if not demo.wait_ready():
            return record("1 big values", False, "did not start")
        start = time.time()
        bench = subprocess.run(["redis-benchmark", "-p", str(demo.resp), "-t", "set", "-d", "100000", "-r", "10000000",
                                "-n", "200000", "-c", "50", "-q"], capture_output=True, text=True, timeout=300)
        took = time.time() - start
        alive = demo.proc.poll() is None
        ping = resp(demo.resp, b"PING\r\n", timeout=3) if alive else b""
        oom_replies = "OOM" in (bench.stdout + bench.stderr)
        info = resp(demo.resp, cmd("INFO", "memory"), timeout=3, until_close=False) if alive else b""
        ok = alive and ping.startswith(b"+PONG") and "OutOfMemoryError" not in demo.log_text()
        record("1 big values " + " ".join(extra), ok, f"{took:.0f} s, alive={alive}, PING={ping[:7]!r}, -OOM replies seen={oom_replies}, "
               f"INFO memory has used_memory={b'used_memory:' in info}")
        rc = demo.stop()
        record("1 SIGTERM after the flood", rc is not None, f"exit code {rc}")
    finally:
        demo.stop()


def attack_glob():
    """Row 2: a crafted KEYS pattern over a long key must not stall a shard."""
    demo = Demo()
    try:
        if not demo.wait_ready():
            return record("2 glob", False, "did not start")
        resp(demo.resp, cmd("SET", "a" * 100, "v"))
        start = time.time()
        reply = resp(demo.resp, cmd("KEYS", "*a" * 13 + "*b"), timeout=30)
        took = time.time() - start
        record("2 glob", reply == b"*0\r\n" and took < 1.0, f"KEYS answered {reply!r} in {took * 1000:.1f} ms")
    finally:
        demo.stop()


def attack_http_auth():
    """Row 3: with a password the HTTP key-value API must refuse anonymous reads and writes."""
    demo = Demo("--percore.demo.resp.requirepass=pw")
    try:
        if not demo.wait_ready():
            return record("3 http auth", False, "did not start")
        get = http(demo.http, b"GET /kv/k HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        put = http(demo.http, b"PUT /kv/k HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx")
        authed = http(demo.http, b"PUT /kv/k HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer pw\r\n"
                                 b"Content-Length: 1\r\n\r\nx")
        ok = get.startswith(b"HTTP/1.1 401") and put.startswith(b"HTTP/1.1 401") and authed.startswith(b"HTTP/1.1 204")
        record("3 http auth", ok, f"GET {get[:12]!r}, PUT {put[:12]!r}, PUT with Bearer {authed[:12]!r}")
    finally:
        demo.stop()


def attack_connection_flood():
    """Row 4: more connections than file descriptors must not spin or flood the log."""
    demo = Demo(ulimit=1024)
    socks = []
    try:
        if not demo.wait_ready():
            return record("4 connection flood", False, "did not start")
        log_before = len(demo.log_text())
        cpu_before = cpu_ticks(demo.proc.pid)
        start = time.time()
        for _ in range(3000):
            try:
                s = socket.create_connection(("127.0.0.1", demo.resp), timeout=2)
                socks.append(s)
            except OSError:
                break
        time.sleep(5)
        cpu = (cpu_ticks(demo.proc.pid) - cpu_before) / os.sysconf("SC_CLK_TCK") / (time.time() - start)
        log_growth = len(demo.log_text()) - log_before
        flooded = len(socks)
        told = b""
        if socks:
            socks[-1].settimeout(2)
            try:
                told = socks[-1].recv(100)
            except OSError:
                pass
        for s in socks:
            s.close()
        socks.clear()
        time.sleep(1)  # the closes reach the server
        ping = resp(demo.resp, b"PING\r\n", timeout=3)
        ok = cpu < 0.5 and log_growth < 200_000 and ping.startswith(b"+PONG") and told == b"-ERR max number of clients reached\r\n"
        record("4 connection flood", ok, f"{flooded} connections (fd limit 1024), {cpu * 100:.0f} % CPU while flooded, log grew {log_growth} B, "
               f"the last client read {told!r}, PING after: {ping[:7]!r}")
    finally:
        for s in socks:
            s.close()
        demo.stop()


def attack_sigterm_pipelining():
    """Row 5: SIGTERM under pipelining must answer every command already read."""
    demo = Demo()
    try:
        if not demo.wait_ready():
            return record("5 SIGTERM under load", False, "did not start")
        stop = threading.Event()
        results = []

        def client(i):
            sent = got = 0
            buf = b""
            try:
                with socket.create_connection(("127.0.0.1", demo.resp), timeout=10) as s:
                    batch = cmd("INCR", f"c{i}") * 50
                    while not stop.is_set():
                        s.sendall(batch)
                        sent += 50
                        while got < sent:
                            chunk = s.recv(65536)
                            if not chunk:
                                raise ConnectionError
                            buf += chunk
                            got += buf.count(b"\r\n")
                            buf = buf[buf.rfind(b"\r\n") + 2:]
            except (OSError, ConnectionError):
                pass
            results.append((sent, got))

        threads = [threading.Thread(target=client, args=(i,)) for i in range(100)]
        for t in threads:
            t.start()
        time.sleep(3)
        start = time.time()
        demo.proc.send_signal(signal.SIGTERM)
        rc = demo.proc.wait(60)
        took = time.time() - start
        stop.set()
        for t in threads:
            t.join(10)
        # A client whose last batch the server never read loses that batch (the server closed first);
        # a partial batch means a command the server read was not answered.
        partial = sum(1 for sent, got in results if got % 50 != 0)
        record("5 SIGTERM under load", partial == 0 and rc in (0, 143),
               f"exit {rc} in {took:.1f} s; {partial} of {len(results)} connections ended mid-batch")
    finally:
        demo.stop()


def attack_chunked_and_host():
    """Rows 7 and 12: malformed chunked bodies and a missing Host."""
    demo = Demo()
    try:
        if not demo.wait_ready():
            return record("7 chunked", False, "did not start")
        bad = http(demo.http, b"PUT /kv/c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n")
        huge = http(demo.http, b"PUT /kv/c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nhello\r\n")
        stored = http(demo.http, b"GET /kv/c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        record("7 chunked", bad.startswith(b"HTTP/1.1 400") and huge.startswith(b"HTTP/1.1 400")
               and stored.startswith(b"HTTP/1.1 404"), f"{bad[:12]!r}, {huge[:12]!r}, then GET {stored[:12]!r}")
        nohost = http(demo.http, b"GET / HTTP/1.1\r\n\r\n")
        record("12 no Host", nohost.startswith(b"HTTP/1.1 400"), f"{nohost[:12]!r}")
    finally:
        demo.stop()


def attack_slowloris():
    """Row 8: 300 connections trickling header bytes are closed by the header timeout."""
    demo = Demo("--percore.demo.http.request-header-timeout=2s")
    socks = []
    try:
        if not demo.wait_ready():
            return record("8 slowloris", False, "did not start")
        for _ in range(300):
            s = socket.create_connection(("127.0.0.1", demo.http), timeout=10)
            s.sendall(b"GET / HTTP/1.1\r\n")
            socks.append(s)
        start = time.time()
        open_ = list(socks)
        while open_ and time.time() - start < 15:
            still = []
            for s in open_:
                try:
                    s.sendall(b"X")
                    still.append(s)
                except OSError:
                    pass
            open_ = still
            time.sleep(1)
        record("8 slowloris", not open_, f"{300 - len(open_)} of 300 closed within {time.time() - start:.0f} s "
               f"(header timeout 2s, one byte per second each)")
    finally:
        for s in socks:
            s.close()
        demo.stop()


def attack_durations():
    """Row 10: absurd durations fail the start naming the key."""
    demo = Demo("--percore.servers.resp.idle-timeout=106752d")
    rc = demo.proc.wait(90)
    text = demo.log_text()
    record("10 durations", rc != 0 and "percore.servers.resp.idle-timeout" in text and "maximum-duration" in text,
           f"exit {rc}, names the key and rule: {'maximum-duration' in text}")


def attack_setrange():
    """Row 11: a client-chosen size past proto-max-bulk-len or the memory budget."""
    demo = Demo()
    try:
        if not demo.wait_ready():
            return record("11 SETRANGE", False, "did not start")
        big = resp(demo.resp, cmd("SETRANGE", "k", "536870911", "x"), timeout=30)
        overflow = resp(demo.resp, cmd("SETRANGE", "k", "9223372036854775807", "A"), timeout=10)
        alive = resp(demo.resp, b"PING\r\n").startswith(b"+PONG")
        ok = alive and big.startswith(b"-") and b"internal" not in big and overflow.startswith(b"-ERR string exceeds")
        record("11 SETRANGE", ok, f"512 MB: {big.strip()[:70]!r}; long offset: {overflow.strip()[:60]!r}; alive={alive}")
    finally:
        demo.stop()


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


ATTACKS = {
    "big-values": attack_big_values,
    "big-values-lru": lambda: attack_big_values("--percore.demo.maxmemory-policy=allkeys-lru"),
    "glob": attack_glob,
    "http-auth": attack_http_auth,
    "connection-flood": attack_connection_flood,
    "sigterm": attack_sigterm_pipelining,
    "chunked-host": attack_chunked_and_host,
    "slowloris": attack_slowloris,
    "durations": attack_durations,
    "setrange": attack_setrange,
}

if __name__ == "__main__":
    chosen = sys.argv[1:] or list(ATTACKS)
    print(f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} jar={jar()}", flush=True)
    for name in chosen:
        try:
            ATTACKS[name]()
        except Exception as e:  # an attack that crashes the script is a failed attack, not a skipped one
            record(name, False, f"{type(e).__name__}: {e}")
    failed = [n for n, ok in RESULTS if not ok]
    print(f"\n{len(RESULTS) - len(failed)} passed, {len(failed)} failed")
    sys.exit(1 if failed else 0)
