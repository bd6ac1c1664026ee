#!/usr/bin/env python3
"""The table "Where the time goes, per request" (benchmarks/results/resp-cpu.md) from the summaries profile-rows.sh
wrote: one column per row, one line per category (percent of the server's CPU samples), then the CPU
and the bytes allocated per request.

usage: profile-table.py DIR ROW...      e.g. profile-table.py benchmarks/profiles resp-set-get-P1 http-plain
"""
import re
import sys

# The order: what a request passes through, then what runs beside it.
ORDER = ['kernel: system calls', 'Netty pipeline', 'decoding', 'command dispatch', 'command handlers', 'keyspace',
         'hook: commandstats', 'hook: slow log', 'hook: reservations', 'hook: SipHash', 'reply encoding', 'flushing',
         'pub/sub delivery', 'Spring and Reactor', 'Micrometer', "Netty's leak detector", 'logging checks', 'engine loop',
         'other demo code', 'JVM and JDK only', 'other threads: JIT', 'other threads: GC', 'other threads: stall', 'other threads']
CATEGORY = re.compile(r'^\s+([0-9.]+) (?:us|B)\s+([0-9.]+) %\s+(.*)$')


def categories(path):
    """The 'by category' block of a summary: {category: (per request, percent)}."""
    found, inside = {}, False
    for line in open(path):
        if line.startswith('by category'):
            inside = True
            continue
        if inside:
            m = CATEGORY.match(line)
            if not m:
                break
            found[m.group(3)] = (float(m.group(1)), float(m.group(2)))
    return found


def header(path, pattern):
    for line in open(path):
        m = re.search(pattern, line)
        if m:
            return m.group(1)
    return '?'


def main():
    folder, rows = sys.argv[1], sys.argv[2:]
    cpu = {r: categories(f'{folder}/{r}.txt') for r in rows}
    alloc = {r: categories(f'{folder}/{r}-alloc.txt') for r in rows}
    rank = lambda c: next((i for i, prefix in enumerate(ORDER) if c.startswith(prefix)), len(ORDER))
    names = sorted({c for r in rows for c in cpu[r]}, key=rank)
    print('| % of CPU samples | ' + ' | '.join(rows) + ' |')
    print('|---|' + '---|' * len(rows))
    for name in names:
        print(f'| {name} | ' + ' | '.join(f'{cpu[r][name][1]:.1f}' if name in cpu[r] else '—' for r in rows) + ' |')
    print('| **CPU µs per request** (samples × interval ÷ requests) | '
          + ' | '.join(header(f'{folder}/{r}.txt', r'= ([0-9.]+) us per request') for r in rows) + ' |')
    print('| **bytes allocated per request** (all threads, `jcmd Thread.print -e`) | '
          + ' | '.join(header(f'{folder}/{r}-alloc.txt', r'allocated ([0-9.]+) bytes per request') for r in rows) + ' |')
    print('| largest allocation by category, bytes per request | '
          + ' | '.join(max(((v[0], k) for k, v in alloc[r].items()), default=(0, '?'))[1] + f' {max((v[0] for v in alloc[r].values()), default=0):.0f}'
                       for r in rows) + ' |')


if __name__ == '__main__':
    main()
