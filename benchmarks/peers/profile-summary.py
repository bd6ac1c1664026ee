#!/usr/bin/env python3
"""Summarises a collapsed-stacks file (async-profiler's, or perf's as profile-peer.sh folds it): where the server's CPU went.

usage: profile-summary.py FILE [TOP] [--no-parts]   (TOP self frames, default 25)
Prints the share of samples per thread root, the kernel's own share, the inclusive share of the
frames that name the parts of a request (syscalls, Netty's pipeline, decoding, dispatch, the
keyspace, replies, the per-command hooks; left out when none is in the file, as in a peer's profile
from profile-peer.sh, or with --no-parts) and the top frames by self samples.
"""
import collections
import sys

PARTS = [
    ("io_uring_enter (the kernel's socket work: recv, send)", "SubmissionQueue.ioUringEnter"),
    ("Netty pipeline, all handlers (a read burst's whole work)", "IoUringStreamUnsafe.readComplete0"),
    ("RESP decoding (RespCommandDecoder)", "RespCommandDecoder.decode"),
    ("command dispatch and run (RespConnection.execute)", "RespConnection.execute"),
    ("keyspace lookups (KeyTable.find)", "KeyTable.find"),
    ("key hashing (SipHash)", "SipHash"),
    ("replies queued in order (OrderedResponder.emit)", "OrderedResponder.emit"),
    ("reply encoding (RespEncoder)", "RespEncoder"),
    ("replies written into the outbound buffer (RespReplyWriter.write)", "RespReplyWriter.write"),
    ("pub/sub delivery to a shard's subscribers (ChannelTable.deliver)", "ChannelTable.deliver"),
    ("a subscriber's push: encoding and queueing (RespConnection.push)", "RespConnection.push"),
    ("flushing (flush)", ".flush"),
    ("commandstats and latency (CommandStats)", "CommandStats"),
    ("slow log", "SlowLog"),
    ("Netty's leak detector (sampled buffers' stack traces)", "ResourceLeakDetector"),
    ("logback level checks (Micrometer's MetricsTurboFilter)", "TurboFilterList"),
    ("the stall detector's thread", "StallDetector.run"),
    ("JIT compiler threads", "CompileBroker"),
    ("garbage collection", "GCTask"),
]


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    # perf's stacks of JIT code (profile-peer.sh APP=demo) have no frame pointers to walk: a frame names the
    # compiled method its innermost code was inlined into, so the parts, which need whole stacks, say nothing
    with_parts = "--no-parts" not in sys.argv[3:]
    total = kernel = 0
    self_samples = collections.Counter()
    roots = collections.Counter()
    parts = collections.Counter()
    for line in open(path):
        stack, _, count = line.rstrip().rpartition(" ")
        if not stack:
            continue
        n = int(count)
        frames = stack.split(";")
        total += n
        roots[frames[0]] += n
        self_samples[frames[-1]] += n
        if frames[-1].endswith("_[k]"):
            kernel += n
        for name, pattern in PARTS:
            if any(pattern in f for f in frames):
                parts[name] += n
    if total == 0:
        sys.exit("no samples in " + path)
    pct = lambda n: f"{100.0 * n / total:5.1f} %"
    print(f"samples: {total}; kernel frames' own share: {pct(kernel)}")
    print("\nthreads (stack roots):")
    for frame, n in roots.most_common(6):
        print(f"  {pct(n)}  {frame[:100]}")
    if parts and with_parts:  # a peer's profile (profile-peer.sh) has none of the demo's parts
        print("\nparts of a request (inclusive: a part's callees count in it; parts overlap):")
        for name, _ in PARTS:
            print(f"  {pct(parts[name])}  {name}")
    print(f"\ntop {top} frames by own samples:")
    for frame, n in self_samples.most_common(top):
        print(f"  {pct(n)}  {frame[:140]}")


if __name__ == "__main__":
    main()
