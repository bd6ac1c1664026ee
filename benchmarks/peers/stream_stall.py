#!/usr/bin/env python3
"""How long one big command holds the server: benchmarks/run-streams.sh's stall probe.

Sends COMMAND (the remaining arguments, one word each) on one connection, followed by
`ECHO <token>` so the end of its reply is known without parsing it, and meanwhile PINGs on a
second connection, one at a time, each timed. A server that answers one connection at a time
(redis-server; the demo's shard, which every connection of a one-shard demo shares) cannot
answer a PING while it builds the big reply, so the longest PING round trip is how long the
command held it. Prints

    reply_bytes <n> command_ms <send to last byte> pings <n> max_ping_ms <x> median_ping_ms <y>

A reply that starts with '-' (an error) is printed in place of reply_bytes' figures and exits 1.

usage: stream_stall.py PORT WORD...
"""
import selectors
import socket
import sys
import time


def bulk(s: bytes) -> bytes:
    return b"$%d\r\n%s\r\n" % (len(s), s)


def command(args) -> bytes:
    return b"*%d\r\n" % len(args) + b"".join(bulk(a) for a in args)


def main() -> int:
    port = int(sys.argv[1])
    args = [a.encode() for a in sys.argv[2:]]
    token = b"stall-probe-end-%d" % time.time_ns()
    tail = bulk(token)
    big = socket.create_connection(("127.0.0.1", port))
    ping = socket.create_connection(("127.0.0.1", port))
    for s in (big, ping):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    # both connections answered once before the clock starts
    ping.sendall(command([b"PING"]))
    assert ping.recv(64) == b"+PONG\r\n"
    big.sendall(command([b"PING"]))
    assert big.recv(64) == b"+PONG\r\n"
    big.setblocking(False)
    ping.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(big, selectors.EVENT_READ, "big")
    sel.register(ping, selectors.EVENT_READ, "ping")

    received = 0
    last = b""
    first = b""
    rtts = []
    start = time.perf_counter()
    big.sendall(command(args) + command([b"ECHO", token]))
    ping.sendall(command([b"PING"]))
    ping_sent = time.perf_counter()
    ping_buf = b""
    done = None
    while done is None:
        for key, _ in sel.select(timeout=60):
            if key.data == "big":
                chunk = big.recv(1 << 20)
                if not chunk:
                    raise ConnectionError("the server closed the connection")
                if not first:
                    first = chunk[:200]
                received += len(chunk)
                last = (last + chunk)[-len(tail):]
                if last == tail:
                    done = time.perf_counter()
            else:
                ping_buf += ping.recv(64)
                if ping_buf == b"+PONG\r\n":
                    now = time.perf_counter()
                    rtts.append(now - ping_sent)
                    ping_buf = b""
                    ping.sendall(command([b"PING"]))
                    ping_sent = time.perf_counter()
    if first.startswith(b"-"):
        print("error " + first.split(b"\r\n")[0].decode())
        return 1
    # the PING in flight when the reply ended counts too: it waited at least this long
    rtts.append(done - ping_sent)
    rtts.sort()
    longest = max(rtts)
    median = rtts[len(rtts) // 2]
    print("reply_bytes %d command_ms %.1f pings %d max_ping_ms %.1f median_ping_ms %.2f"
          % (received - len(tail), (done - start) * 1e3, len(rtts), longest * 1e3, median * 1e3))
    return 0


if __name__ == "__main__":
    sys.exit(main())
