#!/usr/bin/env python3
"""Attacks the demo as issue 12's hostile client and fault injector did, and as issue 24's clients that
hold memory outside the keyspace did (the attacks named unread-*, write-everything, big-commands,
protected-mode, small-heap, impossible-budget; some run redis-server beside it), against the real jar.

Each attack starts a fresh demo (loopback only, -Xmx512m, 2 shards, overprovisioned), does what
the issue's reproduction did (bounded in count and time), and checks what must happen instead.
It prints one PASS/FAIL line per attack with the figures it measured, and exits non-zero if any
failed. Not part of `./mvnw verify` (the unit and integration tests pin each behaviour there);
this is the end-to-end check with real redis-benchmark, curl-like clients and signals.

usage: benchmarks/attacks/run-attacks.py [attack ...]      (all by default; about 10 minutes)
env:   PERCORE_JAR (default: demo-service/target/percore-demo-service-*-exec.jar)
"""
import os
import signal
import socket
import subprocess
import threading
import time

from attacklib import Demo, cmd, cpu_ticks, free_port, http, record, resp, run

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


# ------------------------------------------------------------ issue 24: memory beyond the keyspace

MB = 1 << 20


def info_field(port, section, name):
    text = resp_reply(port, cmd("INFO", section))
    for line in text.split(b"\r\n"):
        if line.startswith(name.encode() + b":"):
            return line.split(b":", 1)[1].decode()
    return None


def resp_reply(port, payload, timeout=10.0):
    """One command's whole reply (bulk strings read to their length)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(payload)
        f = s.makefile("rb")
        line = f.readline()
        if line[:1] == b"$" and int(line[1:]) >= 0:
            return f.read(int(line[1:]) + 2)[:-2]
        return line


def client_list(port):
    return resp_reply(port, cmd("CLIENT", "LIST")).decode().splitlines()


def field(line, name):
    for part in line.split(" "):
        if part.startswith(name + "="):
            return part[len(name) + 1:]
    return ""


class RedisServer:
    """redis-server 7.0 on a free port, nothing saved: the peer of the table's right column."""

    def __init__(self, *args):
        self.resp = free_port()
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.resp), "--save", "", "--appendonly", "no", *args],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                if resp(self.resp, b"PING\r\n", timeout=1).startswith(b"+PONG"):
                    return
            except OSError:
                time.sleep(0.1)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


def never_reading(port, count, first):
    """count connections that send `first` and then never read (small receive buffers, as a stuck peer)."""
    socks = []
    for _ in range(count):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", port))
        s.sendall(first)
        socks.append(s)
    return socks


def attack_unread_subscribers():
    """Row 1: 20 subscribers that never read while 100 KB messages are published."""
    demo = Demo()
    socks = []
    try:
        if not demo.wait_ready():
            return record("m1 unread subscribers", False, "did not start")
        socks = never_reading(demo.resp, 20, cmd("SUBSCRIBE", "news"))
        time.sleep(0.5)
        msg = b"x" * 100_000
        worst = 0
        with socket.create_connection(("127.0.0.1", demo.resp), timeout=10) as pub:
            f = pub.makefile("rb")
            for i in range(2000):
                pub.sendall(cmd("PUBLISH", "news", msg))
                if not f.readline().startswith(b":"):
                    break
                if i % 100 == 0:
                    worst = max(worst, int(info_field(demo.resp, "memory", "mem_clients_normal") or 0))
        alive = demo.proc.poll() is None and resp(demo.resp, b"PING\r\n").startswith(b"+PONG")
        numsub = resp(demo.resp, cmd("PUBSUB", "NUMSUB", "news"), timeout=3)
        cut = 20 - int(numsub.split(b"\r\n")[-2][1:]) if alive else 0
        record("m1 unread subscribers", alive and cut == 20,
               f"200 MB published; alive={alive}, {cut} of 20 subscribers cut, worst mem_clients_normal {worst / MB:.0f} MB "
               f"(maxmemory-clients {info_field(demo.resp, 'memory', 'maxmemory_clients')})")
    finally:
        for s in socks:
            s.close()
        demo.stop()


def attack_unread_ranges():
    """Row 2: 100 x LRANGE of a million elements, pipelined by clients that never read."""
    demo = Demo()
    socks = []
    try:
        if not demo.wait_ready():
            return record("m2 unread LRANGE", False, "did not start")
        with socket.create_connection(("127.0.0.1", demo.resp), timeout=30) as s:
            f = s.makefile("rb")
            for _ in range(100):
                s.sendall(cmd("RPUSH", "big", *range(10_000)))
                f.readline()
        # four connections: the kernel spreads them over both shards, so the list's shard is remote for some
        socks = never_reading(demo.resp, 4, cmd("LRANGE", "big", 0, -1) * 100)
        deadline = time.time() + 60
        while time.time() < deadline and demo.proc.poll() is None:
            lines = [l for l in client_list(demo.resp) if "cmd=lrange" in l or field(l, "omem") not in ("", "0")]
            if not lines:
                break
            time.sleep(0.5)
        alive = demo.proc.poll() is None and resp(demo.resp, b"PING\r\n").startswith(b"+PONG")
        held = len([l for l in client_list(demo.resp) if "cmd=lrange" in l]) if alive else -1
        record("m2 unread LRANGE", alive and held == 0 and "OutOfMemoryError" not in demo.log_text(),
               f"alive={alive}, readers still connected {held} of 4, used_memory after "
               f"{int(info_field(demo.resp, 'memory', 'used_memory') or 0) / MB:.0f} MB")
    finally:
        for s in socks:
            s.close()
        demo.stop()


def attack_unread_monitors():
    """Row 3: 20 MONITOR clients that never read, under redis-benchmark: each stops at 32 MB."""
    demo = Demo()
    socks = []
    try:
        if not demo.wait_ready():
            return record("m3 unread monitors", False, "did not start")
        socks = never_reading(demo.resp, 20, cmd("MONITOR"))
        bench = subprocess.Popen(["redis-benchmark", "-p", str(demo.resp), "-t", "set", "-d", "1000", "-r", "100000",
                                  "-n", "400000", "-c", "20", "-P", "16", "-q"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        worst = 0
        while bench.poll() is None and demo.proc.poll() is None:
            for line in client_list(demo.resp):
                if "O" in field(line, "flags"):
                    worst = max(worst, int(field(line, "omem") or 0))
            time.sleep(0.2)
        bench.wait(120)
        alive = demo.proc.poll() is None and resp(demo.resp, b"PING\r\n").startswith(b"+PONG")
        monitors = len([l for l in client_list(demo.resp) if "O" in field(l, "flags")]) if alive else -1
        record("m3 unread monitors", alive and worst <= 32 * MB + 256 * 1024,
               f"alive={alive}, largest monitor omem seen {worst / MB:.1f} MB (limit 32 MB), monitors left {monitors} of 20")
    finally:
        for s in socks:
            s.close()
        demo.stop()


def write_everything_then_read(port, n):
    """redis-py's pipeline.execute(): n INCRs over two keys written before any reply is read; seconds or None."""
    payload = (cmd("INCR", "wr:a") + cmd("INCR", "wr:b")) * (n // 2)
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        start = time.time()
        writer = threading.Thread(target=s.sendall, args=(payload,), daemon=True)
        writer.start()
        writer.join(60)
        if writer.is_alive():
            return None
        f = s.makefile("rb", buffering=1 << 16)
        for _ in range(n):
            if not f.readline().startswith(b":"):
                return None
        return time.time() - start


def attack_write_everything():
    """Row 4: 1,000,000 INCRs written before any reply is read, beside redis-server."""
    demo = Demo()
    redis = RedisServer()
    try:
        if not demo.wait_ready():
            return record("m4 write everything", False, "did not start")
        ours = write_everything_then_read(demo.resp, 1_000_000)
        theirs = write_everything_then_read(redis.resp, 1_000_000)
        record("m4 write everything", ours is not None,
               f"all replies in {'hung' if ours is None else f'{ours:.2f} s'} (redis-server {theirs and f'{theirs:.2f} s'})")
    finally:
        redis.stop()
        demo.stop()


class Prober(threading.Thread):
    """PINGs over several connections (on every shard) in turn; the longest wait is the stall a command caused."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.socks = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(6)]
        self.stop_at = threading.Event()
        self.worst = 0.0

    def run(self):
        while not self.stop_at.is_set():
            for s in self.socks:
                start = time.time()
                s.sendall(b"PING\r\n")
                s.recv(16)
                self.worst = max(self.worst, time.time() - start)
            time.sleep(0.001)

    def finish(self):
        self.stop_at.set()
        self.join(30)
        for s in self.socks:
            s.close()
        return self.worst


def timed_with_stall(port, setup, command):
    """Runs setup (pipelined, replies read), then times `command` while a prober measures the longest PING wait."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        f = s.makefile("rb", buffering=1 << 16)
        for chunk, replies in setup:
            s.sendall(chunk)
            for _ in range(replies):
                f.readline()
        prober = Prober(port)
        prober.start()
        time.sleep(0.3)
        prober.worst = 0.0
        start = time.time()
        s.sendall(command)
        first = f.readline()
        took = time.time() - start
        if first[:1] == b"*":
            for _ in range(int(first[1:])):
                f.readline()
        time.sleep(0.1)
        return took, prober.finish(), first.strip()


def huge_multi(port):
    n = 200_000
    queued = cmd("MULTI") + b"".join(cmd("INCR", f"tx:{i % 16}") for i in range(n))
    return timed_with_stall(port, [(queued, n + 1)], cmd("EXEC"))


def big_unions(port, kind):
    """ZUNIONSTORE / SUNIONSTORE over 8 inputs of 100,000 members each (hash tags keep them on one shard for Redis's sake)."""
    setup = []
    for k in range(8):
        for start in range(0, 100_000, 10_000):
            if kind == "z":
                args = [a for m in range(start, start + 10_000) for a in (m, f"m{m * (k + 1)}")]
                setup.append((cmd("ZADD", f"{{u}}z{k}", *args), 1))
            else:
                setup.append((cmd("SADD", f"{{u}}s{k}", *[f"m{m * (k + 1)}" for m in range(start, start + 10_000)]), 1))
    keys = [f"{{u}}{kind}{k}" for k in range(8)]
    command = cmd("ZUNIONSTORE", "{u}zdst", 8, *keys) if kind == "z" else cmd("SUNIONSTORE", "{u}sdst", *keys)
    return timed_with_stall(port, setup, command)


def attack_big_commands():
    """Row 5 and item 3: a 200,000-INCR EXEC and big unions, timed with the longest stall, beside redis-server."""
    for name, run_it in (("m5 200,000-command EXEC", huge_multi),
                         ("m5 ZUNIONSTORE 8 x 100,000", lambda p: big_unions(p, "z")),
                         ("m5 SUNIONSTORE 8 x 100,000", lambda p: big_unions(p, "s"))):
        demo = Demo()
        redis = RedisServer()
        try:
            if not demo.wait_ready():
                return record(name, False, "did not start")
            for _ in range(3):
                run_it(demo.resp)  # to warm the JIT, as a long-running server is
            ours = run_it(demo.resp)
            theirs = run_it(redis.resp)
            # Redis is single-threaded: the whole command is its stall. Ours may stall a shard a bit longer on a
            # loaded machine; 3x Redis plus 150 ms of scheduling on 2 shared CPUs is the bound.
            ok = ours[1] <= 3 * max(theirs[1], theirs[0]) + 0.15
            record(name, ok, f"took {ours[0] * 1000:.0f} ms, longest PING {ours[1] * 1000:.0f} ms (reply {ours[2][:12]!r}); "
                             f"redis-server took {theirs[0] * 1000:.0f} ms, longest PING {theirs[1] * 1000:.0f} ms")
        finally:
            redis.stop()
            demo.stop()


def non_loopback_address():
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # TEST-NET: nothing is sent, the kernel just picks the outgoing address
        return probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()


def attack_protected_mode():
    """Row 6: bound to every address with no password: clients from other addresses read -DENIED."""
    address = non_loopback_address()
    if not address or address.startswith("127."):
        return record("m6 protected mode", False, "this machine has no non-loopback IPv4 address to connect from")
    demo = Demo("--percore.servers.resp.bind-address=0.0.0.0", "--percore.servers.http.bind-address=0.0.0.0")
    try:
        if not demo.wait_ready():
            return record("m6 protected mode", False, "did not start")
        with socket.create_connection((address, demo.resp), timeout=5) as s:
            s.sendall(b"PING\r\n")
            denied = s.recv(4096)
        with socket.create_connection((address, demo.http), timeout=5) as s:
            s.sendall(b"GET /kv/k HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            forbidden = s.recv(100)
        local = resp(demo.resp, b"PING\r\n")
        logged = "protected mode" in demo.log_text().lower()
        record("m6 protected mode", denied.startswith(b"-DENIED") and forbidden.startswith(b"HTTP/1.1 403") and local.startswith(b"+PONG"),
               f"from {address}: {denied[:40]!r}..., HTTP {forbidden[:12]!r}; from 127.0.0.1: {local.strip()!r}; logged at start: {logged}")
    finally:
        demo.stop()


def attack_small_heap():
    """Row 7: -Xmx64m, 50 clients pipelining 40 x 100 KB SETs three times: -OOM or closed, the process stays up."""
    demo = Demo(heap="64m")
    try:
        if not demo.wait_ready():
            return record("m7 small heap", False, "did not start")
        counts = {"ok": 0, "oom": 0, "closed": 0, "other": 0}
        lock = threading.Lock()
        value = b"v" * 100_000

        def client(c):
            try:
                with socket.create_connection(("127.0.0.1", demo.resp), timeout=60) as s:
                    f = s.makefile("rb")
                    for r in range(3):
                        s.sendall(b"".join(cmd("SET", f"sh:{c}:{r}:{i}", value) for i in range(40)))
                        for _ in range(40):
                            line = f.readline()
                            if not line:
                                raise ConnectionError
                            key = "ok" if line.startswith(b"+OK") else "oom" if line.startswith(b"-OOM") else "other"
                            with lock:
                                counts[key] += 1
            except OSError:
                with lock:
                    counts["closed"] += 1

        threads = [threading.Thread(target=client, args=(c,)) for c in range(50)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        alive = demo.proc.poll() is None and resp(demo.resp, b"PING\r\n").startswith(b"+PONG")
        record("m7 small heap", alive and counts["other"] == 0, f"alive={alive}, replies {counts}")
    finally:
        demo.stop()


def attack_impossible_budget():
    """Row 8: maxmemory past what the heap holds: refused at start and by CONFIG SET, naming key, value and rule."""
    demo = Demo("--percore.demo.maxmemory=100GB")
    rc = demo.proc.wait(90)
    text = demo.log_text()
    at_start = rc != 0 and "percore.demo.maxmemory" in text
    demo = Demo()
    try:
        if not demo.wait_ready():
            return record("m8 impossible budget", False, "did not start")
        reply = resp(demo.resp, cmd("CONFIG", "SET", "maxmemory", "100gb"))
        record("m8 impossible budget", at_start and reply.startswith(b"-ERR") and b"maxmemory" in reply,
               f"start with 100GB: exit {rc}, names the key: {'percore.demo.maxmemory' in text}; CONFIG SET: {reply.strip()[:110]!r}")
    finally:
        demo.stop()


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
    "unread-subscribers": attack_unread_subscribers,
    "unread-ranges": attack_unread_ranges,
    "unread-monitors": attack_unread_monitors,
    "write-everything": attack_write_everything,
    "big-commands": attack_big_commands,
    "protected-mode": attack_protected_mode,
    "small-heap": attack_small_heap,
    "impossible-budget": attack_impossible_budget,
}

if __name__ == "__main__":
    run(ATTACKS)
