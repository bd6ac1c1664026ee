#!/usr/bin/env python3
"""A client that pipelines through a server's graceful stop: batches of 20 x (INCR ctr, GET big), at most 3 batches
unanswered (within the server's output limits), written by one thread while another reads. Reads until the end of
stream or an error, then prints how many INCR replies it got, the highest value among them, and how it ended.

usage: pipelining_client.py HOST PORT
"""
import socket
import sys
import threading

host, port = sys.argv[1], int(sys.argv[2])
s = socket.create_connection((host, port))
batch = b"".join(b"*2\r\n$4\r\nINCR\r\n$3\r\nctr\r\n*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n" for _ in range(20))
permits = threading.Semaphore(3)
stopped = threading.Event()


def writer():
    try:
        while not stopped.is_set():
            permits.acquire()
            s.sendall(batch)
    except OSError:
        pass


threading.Thread(target=writer, daemon=True).start()
replies, highest, end = 0, 0, "end of stream"
f = s.makefile("rb")
try:
    while True:
        line = f.readline()
        if not line:
            break
        if line[:1] == b":":
            replies += 1
            highest = max(highest, int(line[1:-2]))
            if replies % 20 == 0:
                permits.release()
        elif line[:1] == b"$":
            n = int(line[1:-2])
            if n >= 0:
                f.read(n + 2)
        elif line[:1] == b"-":
            end = line.decode().strip()
            break
except OSError as e:
    end = repr(e)
stopped.set()
print(f"incr_replies={replies} highest={highest} end={end}")
