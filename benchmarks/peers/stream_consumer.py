#!/usr/bin/env python3
"""The consumer side of benchmarks/run-streams.sh: XREADGROUP + XACK, one entry at a time, pipelined.

Reads ENTRIES entries of stream KEY through group GROUP as consumer CONSUMER on one RESP2
connection to 127.0.0.1:PORT: every request is `XREADGROUP GROUP g c COUNT 1 STREAMS key >`,
DEPTH of them in flight, and every entry it gets is acknowledged with its own `XACK key g <id>`,
sent with the next batch of reads (so one round trip carries DEPTH acks and DEPTH reads, as a
consumer that acknowledges what it has processed while it asks for more). Each XREADGROUP must
answer one entry with the fields the script loaded (`f` and a 10-byte value) and each XACK `:1`;
anything else (an empty reply, an error, an entry twice) fails the run. It ends when ENTRIES
entries are read and acknowledged, and prints

    consumed <entries> requests <xreadgroup + xack sent> seconds <wall time>

usage: stream_consumer.py PORT KEY GROUP CONSUMER ENTRIES [DEPTH]
"""
import socket
import sys
import time


def bulk(s: bytes) -> bytes:
    return b"$%d\r\n%s\r\n" % (len(s), s)


def command(*args: bytes) -> bytes:
    return b"*%d\r\n" % len(args) + b"".join(bulk(a) for a in args)


class Reader:
    """A minimal RESP2 reader over a socket: enough for the replies this script expects."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.buf = b""
        self.pos = 0

    def _fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.buf = self.buf[self.pos:] + chunk
        self.pos = 0

    def _line(self) -> bytes:
        while True:
            end = self.buf.find(b"\r\n", self.pos)
            if end >= 0:
                line = self.buf[self.pos:end]
                self.pos = end + 2
                return line
            self._fill()

    def read(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest
        if kind == b"-":
            raise RuntimeError("error reply: " + rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) - self.pos < n + 2:
                self._fill()
            data = self.buf[self.pos:self.pos + n]
            self.pos += n + 2
            return data
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise RuntimeError("unexpected reply line %r" % line)


def main() -> int:
    port, key, group, consumer = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3].encode(), sys.argv[4].encode()
    entries = int(sys.argv[5])
    depth = int(sys.argv[6]) if len(sys.argv) > 6 else 16
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    reader = Reader(sock)
    read_one = command(b"XREADGROUP", b"GROUP", group, consumer, b"COUNT", b"1", b"STREAMS", key, b">")
    start = time.time()
    to_ack = []       # IDs read, their XACK not sent yet
    acked = 0
    read = 0
    sent = 0
    last = b""
    while acked < entries:
        reads = min(depth, entries - read)
        sock.sendall(b"".join(command(b"XACK", key, group, i) for i in to_ack) + read_one * reads)
        sent += len(to_ack) + reads
        for _ in to_ack:
            if reader.read() != 1:
                raise RuntimeError("XACK did not answer 1")
        acked += len(to_ack)
        to_ack = []
        for _ in range(reads):
            reply = reader.read()
            # [[key, [[id, [f, value]]]]]
            if not reply or reply[0][0] != key or len(reply[0][1]) != 1:
                raise RuntimeError("XREADGROUP answered %r, not one entry" % (reply,))
            entry_id, fields = reply[0][1][0]
            if len(fields) != 2 or fields[0] != b"f" or len(fields[1]) != 10:
                raise RuntimeError("unexpected entry %r %r" % (entry_id, fields))
            ms, seq = (int(p) for p in entry_id.split(b"-"))
            if last and (ms, seq) <= last:
                raise RuntimeError("entry %r after %r: not in order" % (entry_id, last))
            last = (ms, seq)
            to_ack.append(entry_id)
        read += reads
    print("consumed %d requests %d seconds %.3f" % (acked, sent, time.time() - start))
    return 0


if __name__ == "__main__":
    sys.exit(main())
