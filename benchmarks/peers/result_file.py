#!/usr/bin/env python3
"""run-peers.sh's result file: the run's figures in the format of benchmarks/results/README.md (one run; its rows are
issue 29's rows that ran, then every scenario), the same figures summary.awk prints, from the same three files.

    result_file.py OUT WHEN ROWS RESULTS --start "<UTC>, load average a b c" --end "..." --commit C
                   --peers TEXT [--failed TEXT]... -- ARGS...

WHEN, ROWS and RESULTS as summary.awk reads them. The command is rebuilt from ARGS (run-peers.sh's own) and the
variables run-peers.sh and the scripts it calls read, as they were in its environment. Writes OUT, prints nothing.
"""
import argparse
import json
import os
import re
import shlex
import statistics
import sys

VARIABLES = ["SCENARIOS", "PERCORE_JAR", "SAMPLE_JAR", "SERVER_JVM_OPTS", "RESP_REQUESTS", "RESP_PIPELINED_REQUESTS",
             "RESP_LRANGE_REQUESTS", "WRK_SECONDS", "WRK_TIMEOUT", "SERVER_CPU", "CLIENT_CPU", "PORT_BASE", "MESSAGES",
             "NGINX"]
STAMP = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})Z, load average (\S+)")


def machine(cpus):
    model, virtual = None, False
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == "model name" and model is None:
                    model = value.strip()
                if key.strip() == "flags" and " hypervisor" in " " + value:
                    virtual = True
    except OSError:
        pass
    description = "%d CPUs (nproc)%s" % (cpus, ", a virtual machine" if virtual else "")
    return {"cpus": cpus, "model": model, "description": description}


def split_argv():
    """(this script's own arguments, the measuring script's, which follow "--")."""
    argv = sys.argv[1:]
    if "--" not in argv:
        return argv, []
    return argv[:argv.index("--")], argv[argv.index("--") + 1:]


def command_line(script, variables, args):
    """The command as run: the variables the script reads that were in its environment, then its arguments."""
    command = ["%s=%s" % (v, shlex.quote(os.environ[v])) for v in variables if v in os.environ]
    return " ".join(command + [script] + [shlex.quote(x) for x in args])


def document(script, unit, a, command, notes, rows):
    """A result file of one run: a.start and a.end "<UTC>, load average a b c", a.cpus, a.commit."""
    start, end = STAMP.match(a.start), STAMP.match(a.end)
    return {
        "title": "%s, %s %s UTC" % (script, start.group(1), start.group(2)[:5]) if start else script,
        "source": None,
        "unit": unit,
        "reference": 1.0,
        "runs": [{
            "label": "%s %s" % (start.group(1)[5:], start.group(2)[:5]) if start else "run",
            "command": command,
            "date": start.group(1) if start else None,
            "time_utc": "%s-%s" % (start.group(2), end.group(2) if end else "?") if start else None,
            "machine": machine(a.cpus),
            "load": "%s - %s (1 minute, at the start and end)" % (start.group(3) if start else "?", end.group(3) if end else "?"),
            "commit": a.commit if a.commit and a.commit != "?" else None,
            "notes": notes.strip() or None,
            "rows": rows,
        }],
    }


def spread(values):
    return {"min": round(min(values), 4), "median": round(statistics.median(values), 4), "max": round(max(values), 4),
            "rounds": [round(v, 4) for v in values]}


def main():
    p = argparse.ArgumentParser()
    for name in ("out", "when", "rows", "results"):
        p.add_argument(name)
    p.add_argument("--start", required=True)
    p.add_argument("--end", required=True)
    p.add_argument("--commit")
    p.add_argument("--cpus", type=int, required=True)
    p.add_argument("--peers", default="")
    p.add_argument("--redis", default="redis-server")
    p.add_argument("--nginx", default="nginx")
    p.add_argument("--failed", action="append", default=[])
    own, args = split_argv()
    a = p.parse_args(own)

    ran, order = {}, []
    with open(a.when, encoding="utf-8") as f:
        for line in f:
            s, start, end, load_start, load_end = line.split()
            ran[s] = (start, end, load_start, load_end)
            order.append(s)
    issue_rows = []
    with open(a.rows, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                name, scenarios, target = line.rstrip("\n").split("|")
                issue_rows.append((name, scenarios.split(), float(target)))
    mine, peer, rate_mine, rate_peer, rounds = {}, {}, {}, {}, []
    with open(a.results, encoding="utf-8") as f:
        for line in f:
            fields = line.split()
            if len(fields) < 6:
                continue
            key = (fields[0], fields[1])
            (mine if fields[2] == "percore" else peer)[key] = float(fields[4])
            (rate_mine if fields[2] == "percore" else rate_peer)[key] = float(fields[5])
            if fields[0] not in rounds:
                rounds.append(fields[0])

    def peer_of(scenario):
        if scenario.startswith("http-"):
            return a.nginx
        if scenario.startswith("webflux-"):
            return "Spring Boot's Reactor Netty server (one event loop)"
        return a.redis

    rows = []
    for name, members, target in issue_rows:
        if not all(m in ran for m in members):
            continue
        ratios = []
        for r in rounds:
            keys = [(r, m) for m in members]
            if all(k in mine and k in peer for k in keys):
                p_sum = sum(peer[k] for k in keys)
                if p_sum > 0:
                    ratios.append(sum(mine[k] for k in keys) / p_sum)
        if not ratios:
            continue
        start, end, load_start, load_end = ran[members[0]]
        row = {"row": name, "peer": peer_of(members[0])}
        row.update(spread(ratios))
        row["target"] = {"op": "<=", "value": target}
        row["note"] = "%s; phase %s - %s UTC, load %s - %s" % (" + ".join(members), start[11:19], end[11:19], load_start, load_end)
        rows.append(row)
    for s in order:
        keys = [(r, s) for r in rounds if (r, s) in mine and (r, s) in peer]
        if not keys:
            continue
        row = {"row": s, "peer": peer_of(s)}
        row.update(spread([mine[k] / peer[k] for k in keys]))
        row["note"] = "medians: %.3f vs %.3f µs; rate %.0f vs %.0f a second" % (
            statistics.median(mine[k] for k in keys), statistics.median(peer[k] for k in keys),
            statistics.median(rate_mine[k] for k in keys), statistics.median(rate_peer[k] for k in keys))
        rows.append(row)

    command = command_line("benchmarks/run-peers.sh", VARIABLES, args)
    notes = a.peers
    if a.failed:
        notes += " Not measured in full: " + "; ".join(a.failed)
    data = document("run-peers.sh", "Percore ÷ peer, the server's CPU per request (pub/sub: per delivered message), per-round ratio",
                    a, command, notes, rows)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w", encoding="utf-8") as f:
        f.write(dumps(data))


def dumps(data):
    """JSON as the files of benchmarks/results/ are written: a field a line, a row a line."""
    enc = lambda v: json.dumps(v, ensure_ascii=False)
    run = data["runs"][0]
    lines = ["{"] + ["  %s: %s," % (enc(k), enc(v)) for k, v in data.items() if k != "runs"] + ['  "runs": [', "    {"]
    lines += ["      %s: %s," % (enc(k), enc(v)) for k, v in run.items() if k != "rows"]
    lines += ['      "rows": [', ",\n".join("        " + enc(r) for r in run["rows"]), "      ]", "    }", "  ]", "}"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
