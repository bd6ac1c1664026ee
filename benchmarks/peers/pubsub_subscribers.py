#!/usr/bin/env python3
"""The subscriber side of benchmarks/run-pubsub.sh: many RESP2 subscribers in one process.

Opens SUBSCRIBERS connections to 127.0.0.1:PORT, subscribes each to CHANNEL, waits for every
confirmation, then prints "ready" (the script starts the publisher on that). From then on each
connection must receive exactly MESSAGES copies of the one message frame the publisher's
`PUBLISH CHANNEL PAYLOAD` produces, byte for byte: every received chunk is compared with the
expected stream, so a lost, duplicated, truncated or foreign message fails the run instead of
skewing the figure. When every connection has its MESSAGES frames it prints

    delivered <frames> subscribers <n> done_at <epoch seconds of the last byte>

and exits 0 (after checking for 0.2 s that nothing more arrives). On TIMEOUT seconds without progress, a closed connection or a wrong byte it prints
what it got per connection and exits 1. Counting bytes against the known stream instead of
parsing replies keeps this process cheap: redis-cli in subscribe mode flushes stdout once per
message, a write(2) per delivery, which would make the load generator the bottleneck.

usage: pubsub_subscribers.py PORT SUBSCRIBERS CHANNEL MESSAGES PAYLOAD [TIMEOUT]
"""
import selectors
import socket
import sys
import time


def bulk(s: bytes) -> bytes:
    return b"$%d\r\n%s\r\n" % (len(s), s)


def read_exactly(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed while subscribing")
        data += chunk
    return data


def main() -> int:
    port, subscribers, channel = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3].encode()
    messages, payload = int(sys.argv[4]), sys.argv[5].encode()
    timeout = float(sys.argv[6]) if len(sys.argv) > 6 else 30.0

    frame = b"*3\r\n" + bulk(b"message") + bulk(channel) + bulk(payload)
    expected = messages * len(frame)
    chunk_size = 1 << 18
    # Any chunk of the stream starts at some offset within a frame: a run of frames long
    # enough to hold the largest chunk from any such offset.
    pattern = frame * (chunk_size // len(frame) + 2)

    socks = []
    for i in range(subscribers):
        s = socket.create_connection(("127.0.0.1", port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.sendall(b"*2\r\n" + bulk(b"SUBSCRIBE") + bulk(channel))
        socks.append(s)
    confirmation = b"*3\r\n" + bulk(b"subscribe") + bulk(channel) + b":1\r\n"
    for i, s in enumerate(socks):
        got = read_exactly(s, len(confirmation))
        if got != confirmation:
            print(f"subscriber {i}: unexpected confirmation {got!r}", flush=True)
            return 1
        s.setblocking(False)

    received = [0] * subscribers
    sel = selectors.DefaultSelector()
    for i, s in enumerate(socks):
        sel.register(s, selectors.EVENT_READ, i)
    print("ready", flush=True)

    pending = subscribers
    done_at = 0.0
    last_progress = time.monotonic()
    failure = None
    while pending and failure is None:
        events = sel.select(timeout=1.0)
        if not events:
            if time.monotonic() - last_progress > timeout:
                failure = f"no data for {timeout:.0f} s"
            continue
        last_progress = time.monotonic()
        for key, _ in events:
            i = key.data
            try:
                data = key.fileobj.recv(chunk_size)
            except BlockingIOError:
                continue
            if not data:
                failure = f"subscriber {i} closed by the server after {received[i] // len(frame)} messages"
                break
            start = received[i] % len(frame)
            if received[i] + len(data) > expected or data != pattern[start:start + len(data)]:
                failure = f"subscriber {i}: unexpected bytes at offset {received[i]}: {data[:80]!r}"
                break
            received[i] += len(data)
            if received[i] == expected:
                done_at = time.time()
                sel.unregister(key.fileobj)
                pending -= 1

    if failure is None:
        # a message beyond the expected ones (a duplicate) would arrive after its connection
        # was complete: give it a moment to show
        for i, s in enumerate(socks):
            sel.register(s, selectors.EVENT_READ, i)
        for key, _ in sel.select(timeout=0.2):
            extra = key.fileobj.recv(chunk_size)
            failure = f"subscriber {key.data}: {len(extra)} bytes after its {messages} messages: {extra[:80]!r}"
            break

    if failure is not None:
        frames = [r // len(frame) for r in received]
        print(f"FAILED: {failure}; messages per subscriber: min {min(frames)}, max {max(frames)}, "
              f"complete {frames.count(messages)}/{subscribers}, expected {messages} each", flush=True)
        return 1
    print(f"delivered {messages * subscribers} subscribers {subscribers} done_at {done_at:.6f}", flush=True)
    for s in socks:
        s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
