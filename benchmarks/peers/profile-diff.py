#!/usr/bin/env python3
"""Two servers' profiles side by side, frame by frame: which frames one spends more on per request.

usage: profile-diff.py A.collapsed A_THREAD B.collapsed B_THREAD [--inclusive] [--top N] [--interval US]

A and B are async-profiler collapsed stacks recorded with the `threads` option (profile-servers.sh
writes them with NAME.requests beside each). A_THREAD / B_THREAD pick the serving thread by prefix
('[percore-shard', '[reactor-http'). Each frame's samples become µs per request (interval × samples ÷
requests); kernel frames count as one, KERNEL. By default a sample is charged to its innermost frame
(self time); with --inclusive to every distinct frame on its stack. Prints both totals, then the
frames with the largest differences, A − B.
"""
import argparse
import collections
import os


def per_request(path, thread, interval_us, inclusive):
    requests = int(open(os.path.splitext(path)[0] + '.requests').read().split()[0])
    counts = collections.Counter()
    total = 0
    for line in open(path):
        stack, n = line.rsplit(' ', 1)
        frames = stack.split(';')
        if not frames[0].startswith(thread):
            continue
        n = int(n)
        total += n
        if inclusive:
            for frame in set('KERNEL' if f.endswith('_[k]') else f for f in frames[1:]):
                counts[frame] += n
        else:
            frame = frames[-1]
            counts['KERNEL' if frame.endswith('_[k]') else frame] += n
    scale = interval_us / requests
    return total * scale, {f: c * scale for f, c in counts.items()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('a'); parser.add_argument('a_thread'); parser.add_argument('b'); parser.add_argument('b_thread')
    parser.add_argument('--inclusive', action='store_true')
    parser.add_argument('--top', type=int, default=30)
    parser.add_argument('--interval', type=float, default=1000.0, help='sampling interval in µs (profile-servers.sh: 1000)')
    args = parser.parse_args()
    total_a, a = per_request(args.a, args.a_thread, args.interval, args.inclusive)
    total_b, b = per_request(args.b, args.b_thread, args.interval, args.inclusive)
    print(f'serving thread, µs per request: A {total_a:.2f}, B {total_b:.2f}, A - B {total_a - total_b:+.2f}')
    print(f'{"A":>8} {"B":>8} {"A - B":>8}  frame ({"inclusive" if args.inclusive else "self"})')
    for frame in sorted(set(a) | set(b), key=lambda f: -abs(a.get(f, 0) - b.get(f, 0)))[:args.top]:
        print(f'{a.get(frame, 0):8.3f} {b.get(frame, 0):8.3f} {a.get(frame, 0) - b.get(frame, 0):+8.3f}  {frame[:160]}')


if __name__ == '__main__':
    main()
