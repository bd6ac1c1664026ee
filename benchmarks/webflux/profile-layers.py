#!/usr/bin/env python3
"""Where a request's CPU goes, by layer, from an async-profiler collapsed-stack file.

usage: profile-layers.py FILE.collapsed THREAD_PREFIX REQUESTS [INTERVAL_US]

FILE comes from async-profiler 4.2 attached with jcmd and the `threads` option, e.g.
  jcmd PID JVMTI.agent_load libasyncProfiler.so "\"start,event=cpu,interval=200us,threads,file=/tmp/x.collapsed\""
  (wrk runs meanwhile)
  jcmd PID JVMTI.agent_load libasyncProfiler.so "\"stop,file=/tmp/x.collapsed\""
THREAD_PREFIX picks the serving thread ('[percore-shard' on the shards, '[reactor-http' on Reactor
Netty's own loop); REQUESTS is what wrk counted over the same time. A sample whose stack holds a
kernel frame is a system call's (io_uring_enter's sends and receives, sched_yield); any other is
charged to the innermost frame of a known layer (JDK and JVM frames to the layer that called them).
Prints µs per request and the share of each layer, then the kernel time by io_uring operation.
"""
import collections
import sys

LAYERS = [
    ('engine loop and hand-offs (io.percore.engine)', ('io/percore/engine',)),
    ('starter (io.percore.spring)', ('io/percore/spring',)),
    ('Netty io_uring transport', ('io/netty/channel/uring',)),
    ('Netty HTTP codec', ('io/netty/handler/codec',)),
    ('Netty pipeline, buffers, its loop', ('io/netty',)),
    ('Reactor Netty', ('reactor/netty',)),
    ('Reactor core operators', ('reactor/core', 'reactor/util')),
    ('Spring WebFlux dispatch and codecs', ('org/springframework/web', 'org/springframework/http')),
    ('Spring core and Boot', ('org/springframework',)),
    ('Micrometer observation', ('io/micrometer',)),
    ('Jackson', ('com/fasterxml', 'tools/jackson')),
]


def main():
    path, prefix, requests = sys.argv[1], sys.argv[2], int(sys.argv[3])
    interval = float(sys.argv[4]) if len(sys.argv) > 4 else 200.0
    layers, ops, total = collections.Counter(), collections.Counter(), 0
    for line in open(path):
        stack, count = line.rsplit(' ', 1)
        frames = stack.split(';')
        if not frames[0].startswith(prefix):
            continue
        frames, n = frames[1:], int(count)
        total += n
        if any(f.endswith('_[k]') for f in frames):
            layers['kernel: system calls and interrupts'] += n
            if '__io_issue_sqe_[k]' in frames:
                i = frames.index('__io_issue_sqe_[k]')
                ops[frames[i + 1].replace('_[k]', '') if i + 1 < len(frames) else '?'] += n
            continue
        for frame in reversed(frames):
            layer = next((name for name, prefixes in LAYERS if frame.startswith(prefixes)), None)
            if layer:
                layers[layer] += n
                break
        else:
            layers['JVM only'] += n
    us = lambda n: n * interval / requests
    print(f'{path}: {total} samples of {interval:.0f} us over {requests} requests = {us(total):.1f} us per request')
    for name, n in layers.most_common():
        print(f'{us(n):7.2f} us {100 * n / total:5.1f} %  {name}')
    for op, n in ops.most_common(4):
        print(f'{us(n):7.2f} us          of which io_uring {op}')


if __name__ == '__main__':
    main()
