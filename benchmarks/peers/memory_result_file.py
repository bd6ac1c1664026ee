#!/usr/bin/env python3
"""run-memory.sh's result file: bytes per key of the demo (heap, estimate) and redis-server, and their ratios, in the
format of benchmarks/results/README.md (one run), the same figures run-memory.sh prints, from the same file.

    memory_result_file.py OUT RESULTS --start "<UTC>, load average a b c" --end "..." --cpus N --commit C
                          --redis TEXT --jar NAME --fields F -- ARGS...

RESULTS: "<dataset> <keys> <demo heap bytes> <demo estimate bytes> <redis-server bytes>", loaded minus empty. Writes OUT,
prints nothing.
"""
import argparse
import os

from result_file import command_line, document, dumps, split_argv

VARIABLES = ["DATASETS", "STRINGS", "HASHES", "ZSETS", "SETS", "FIELDS", "DEMO_HEAP", "DEMO_MAXMEMORY", "PERCORE_JAR",
             "SERVER_CPU", "CLIENT_CPU"]
SHAPE = {"strings": "%s × 10 B", "hashes": "%s × {} fields", "zsets": "%s × {} members", "sets": "%s × {} integers"}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("results")
    for name in ("--start", "--end", "--redis", "--jar"):
        p.add_argument(name, required=True)
    p.add_argument("--cpus", type=int, required=True)
    p.add_argument("--fields", type=int, required=True)
    p.add_argument("--commit")
    own, args = split_argv()
    a = p.parse_args(own)

    rows = []
    with open(a.results, encoding="utf-8") as f:
        for line in f:
            fields = line.split()
            if len(fields) != 5:
                continue
            dataset, keys = fields[0], int(fields[1])
            heap, estimate, redis = (int(x) for x in fields[2:])
            name = "%s (%s)" % (dataset, SHAPE[dataset].format(a.fields) % "{:,}".format(keys))
            group = name + " (bytes per key)"
            rows.append({"row": name + ": demo heap ÷ redis-server", "peer": a.redis, "value": round(heap / redis, 4)})
            rows.append({"row": name + ": demo estimate ÷ redis-server", "peer": a.redis, "value": round(estimate / redis, 4)})
            for what, total in (("demo heap", heap), ("demo estimate", estimate), ("redis-server", redis)):
                rows.append({"row": "%s: %s" % (name, what), "peer": None, "value": round(total / keys, 2),
                             "unit": "bytes per key", "decimals": 1, "group": group})

    notes = ("Jar %s; bytes per key loaded minus empty: the demo's live heap after a full GC, its own used_memory, "
             "redis-server's used_memory." % a.jar)
    data = document("run-memory.sh", "ratio, demo ÷ redis-server, bytes per key", a,
                    command_line("benchmarks/run-memory.sh", VARIABLES, args), notes, rows)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w", encoding="utf-8") as f:
        f.write(dumps(data))


if __name__ == "__main__":
    main()
