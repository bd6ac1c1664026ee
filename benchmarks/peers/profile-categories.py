#!/usr/bin/env python3
"""Where a request's CPU or allocation goes, by the categories issue 29 names, from an async-profiler
collapsed-stacks file (cpu or alloc; alloc recorded with `total`, so a stack's count is bytes).

usage: profile-categories.py FILE.collapsed cpu|alloc REQUESTS [INTERVAL_US] [TOP]

Every sample lands in exactly one category, so the shares add up to 100 %:
- a sample outside a serving thread (a shard's, io/percore/engine/ShardThread.run, or a Netty event loop's)
  goes to its thread's
  kind: JIT compiler, GC and VM, stall detector, other;
- on a shard thread, a sample with a kernel frame is a system call's (cpu only: in an alloc profile
  `_[k]` marks an allocation outside a TLAB), one under Netty's leak detector is the detector's, one
  under a flush is flushing's;
- any other is charged to the innermost frame of a known category; JDK, JVM, Netty buffer and
  utility frames are transparent (charged to their caller), so a buffer copy the decoder makes is
  decoding's and one the reply writer makes is reply encoding's.
Prints each category's share and its cost per request (µs from the sample interval for cpu, bytes for
alloc), and for alloc the top allocated classes and allocation sites (profile-summary.py gives a cpu
profile's top frames).
"""
import collections
import sys

SHARD_ROOT = 'io/percore/engine/ShardThread.run'
# A serving thread that is not a shard: a Netty event loop's (Reactor Netty's own server, profile.sh's
# APP=webflux-stock), categorised as a shard's is, so the two servers' profiles compare row by row.
EVENT_LOOP_ROOT = 'io/netty/util/concurrent/SingleThreadEventExecutor'
# Innermost match wins; order only matters for frames two patterns match.
CATEGORIES = [
    ('hook: commandstats', ('io/percore/demo/server/CommandStats',)),
    ('hook: slow log', ('SlowLog',)),
    ('hook: reservations', ('ShardReservation',)),
    ('hook: SipHash (key hashing)', ('io/percore/demo/kv/SipHash',)),
    ('logging checks (logback, Micrometer turbo filter)', ('ch/qos/logback', 'org/slf4j')),
    ('Micrometer', ('io/micrometer',)),
    ('reply encoding and ordering', ('io/percore/demo/resp/', 'io/percore/net/server/OrderedResponder')),
    ('decoding (RESP, HTTP codec)', ('io/percore/net/resp/RespCommandDecoder', 'io/netty/handler/codec')),
    ('pub/sub delivery', ('io/percore/demo/pubsub',)),
    ('keyspace and write path', ('io/percore/demo/kv', 'io/percore/demo/shard')),
    ('command handlers', ('io/percore/demo/commands',)),
    ('command dispatch (connection, command table, context)', ('io/percore/demo/network', 'io/percore/demo/command',
                                                               'io/percore/demo/http', 'io/percore/demo/server',
                                                               'io/percore/net')),
    ('other demo code', ('io/percore/demo/',)),
    ('Spring and Reactor (the WebFlux application)', ('org/springframework', 'reactor/')),
    ('Netty pipeline and io_uring transport', ('io/netty/',)),
    ('engine loop (io.percore.engine)', ('io/percore/',)),
]
LEAK_DETECTOR = ('io/netty/util/ResourceLeakDetector', 'io/netty/buffer/SimpleLeakAware', 'io/netty/buffer/AdvancedLeakAware')
TRANSPARENT = ('java/', 'jdk/', 'sun/', 'io/netty/buffer/', 'io/netty/util/')
OTHER_THREADS = [
    ('other threads: JIT compiler', 'CompileBroker'),
    ('other threads: stall detector', 'StallDetector'),
    ('other threads: GC and VM', ('GCTask', 'VMThread', 'ConcurrentGCThread', 'WorkerThread', 'GangWorker')),
]


def thread_kind(frames):
    for name, patterns in OTHER_THREADS:
        patterns = patterns if isinstance(patterns, tuple) else (patterns,)
        if any(p in f for f in frames for p in patterns):
            return name
    return 'other threads'


def category(frames, kind):
    if SHARD_ROOT not in frames and not any(f.startswith(EVENT_LOOP_ROOT) for f in frames):
        return thread_kind(frames)
    if kind == 'cpu' and any(f.endswith('_[k]') for f in frames):
        return 'kernel: system calls (io_uring recv/send, yield), interrupts'
    if any(f.startswith(LEAK_DETECTOR) for f in frames):
        return "Netty's leak detector (sampled buffers' stack traces)"
    if any('flush' in f.rsplit('.', 1)[-1].lower() for f in frames if f.startswith(('io/netty', 'io/percore'))):
        return 'flushing'
    for frame in reversed(frames):
        if frame.startswith(TRANSPARENT) or '/' not in frame:
            continue
        for name, patterns in CATEGORIES:
            if any(frame.startswith(p) or p in frame for p in patterns):
                return name
    return 'JVM and JDK only (allocation slow path, stubs)'


def main():
    path, kind, requests = sys.argv[1], sys.argv[2], float(sys.argv[3])
    interval = float(sys.argv[4]) if len(sys.argv) > 4 else 200.0
    top = int(sys.argv[5]) if len(sys.argv) > 5 else 15
    cats, own, sites, total = collections.Counter(), collections.Counter(), collections.Counter(), 0
    for line in open(path):
        stack, _, count = line.rstrip().rpartition(' ')
        if not stack:
            continue
        frames, n = stack.split(';'), int(count)
        total += n
        if kind == 'alloc':
            allocated, frames = frames[-1], frames[:-1]
            cls = allocated.rsplit('_[', 1)[0]
            own[cls] += n
            caller = next((f for f in reversed(frames) if not f.startswith(TRANSPARENT) and '/' in f), '?')
            sites[f'{cls} in {caller}'] += n
        cats[category(frames, kind)] += n
    if total == 0:
        sys.exit('no samples in ' + path)
    unit = (lambda n: f'{n * interval / requests:8.3f} us') if kind == 'cpu' else (lambda n: f'{n / requests:8.1f} B ')
    what = f'{total} samples of {interval:.0f} us' if kind == 'cpu' else f'{total} bytes allocated (sampled estimate)'
    print(f'{what} over {requests:.0f} requests = {unit(total).strip()} per request')
    listing('by category (each sample in one; per request, share):', cats, unit, total, None)
    if kind == 'alloc':
        listing(f'top {top} allocated classes:', own, unit, total, top)
        listing(f'top {top} allocation sites (class in the innermost non-JDK, non-Netty-buffer frame):', sites, unit, total, top)


def listing(title, counter, unit, total, top):
    print('\n' + title)
    for name, n in counter.most_common(top):
        print(f'  {unit(n)}  {100.0 * n / total:5.1f} %  {name[:160]}')


if __name__ == '__main__':
    main()
