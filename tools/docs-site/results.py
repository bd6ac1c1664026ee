"""The benchmarks' result files on the documentation site (issue 76): an MkDocs hook (mkdocs.yml) and the library
check_results.py uses.

A result file is benchmarks/results/NAME.json (the format: benchmarks/results/README.md). A page shows one with a line
of its own

    <!-- result: NAME -->

which this hook replaces with a table (min / median / max per run, the target and whether it was met), the runs'
commands, dates, machines and loads, and a chart (inline SVG drawn here: the site is read offline, no script). The build
fails when a result file is malformed (load() says what is missing), when a page names a file that does not exist, or
when a result file is shown on no page.
"""
import glob
import html
import json
import math
import os
import re

RESULTS_DIR = os.path.join("benchmarks", "results")
PLACEHOLDER = re.compile(r"^<!-- result: ([A-Za-z0-9_.-]+) -->[ \t]*$", re.M)
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
OPS = {"<=": "≤", ">=": "≥"}
COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf"]


class ResultError(Exception):
    pass


# ---------------------------------------------------------------- reading and checking a file

def names(root):
    """The result files' names (NAME of benchmarks/results/NAME.json), sorted."""
    return sorted(os.path.basename(p)[:-5] for p in glob.glob(os.path.join(root, RESULTS_DIR, "*.json")))


def path_of(root, name):
    return os.path.join(root, RESULTS_DIR, name + ".json")


def load(root, name):
    """The result file NAME, checked; ResultError naming the file and what is wrong with it."""
    where = os.path.join(RESULTS_DIR, name + ".json")
    try:
        with open(path_of(root, name), encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        raise ResultError("%s: no such result file" % where)
    except ValueError as e:
        raise ResultError("%s: not JSON: %s" % (where, e))
    problems = problems_of(data)
    if problems:
        raise ResultError("%s: %s" % (where, "; ".join(problems)))
    return data


def _text(value):
    return isinstance(value, str) and value.strip() != ""


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def problems_of(data):
    """What a result file lacks or has wrong, as sentences (none: it is well formed)."""
    if not isinstance(data, dict):
        return ["not an object"]
    problems = []
    if not _text(data.get("title")):
        problems.append("no title")
    for key in ("unit", "about"):
        if data.get(key) is not None and not _text(data[key]):
            problems.append("%s is not a text" % key)
    source = data.get("source")
    if source is not None and not _text(source) and not (isinstance(source, list) and source and all(_text(x) for x in source)):
        problems.append("source is not a path or a list of paths")
    if data.get("reference") is not None and not _number(data["reference"]):
        problems.append("reference is not a number")
    if "decimals" in data and data["decimals"] not in (0, 1, 2, 3):
        problems.append("decimals is not 0-3")
    runs = data.get("runs")
    if not isinstance(runs, list) or not runs:
        return problems + ["no runs"]
    labels = set()
    for i, run in enumerate(runs, 1):
        if not isinstance(run, dict):
            problems.append("run %d: not an object" % i)
            continue
        at = "run %d (%s)" % (i, run.get("label", "no label"))
        if not _text(run.get("label")):
            problems.append("%s: no label" % at)
        elif run["label"] in labels:
            problems.append("%s: the label of an earlier run" % at)
        labels.add(run.get("label"))
        if not _text(run.get("command")):
            problems.append("%s: no command" % at)
        if not isinstance(run.get("date"), str) or not DATE.match(run["date"]):
            problems.append("%s: no date (YYYY-MM-DD)" % at)
        machine = run.get("machine")
        if not isinstance(machine, dict) or not _text(machine.get("description")):
            problems.append("%s: no machine (an object with a description)" % at)
        elif machine.get("cpus") is not None and not isinstance(machine.get("cpus"), int):
            problems.append("%s: machine.cpus is not a whole number" % at)
        for key in ("time_utc", "load", "commit", "notes"):
            if run.get(key) is not None and not isinstance(run[key], str):
                problems.append("%s: %s is not a text" % (at, key))
        rows = run.get("rows")
        if not isinstance(rows, list) or not rows:
            problems.append("%s: no rows" % at)
            continue
        for j, row in enumerate(rows, 1):
            problems.extend("%s, row %d: %s" % (at, j, p) for p in _row_problems(row, data))
    return problems


def _row_problems(row, data):
    if not isinstance(row, dict):
        return ["not an object"]
    problems = []
    if not _text(row.get("row")):
        problems.append("no row (what was measured)")
    if "peer" not in row:
        problems.append("no peer (null when there is none)")
    if not _text(row.get("unit")) and not _text(data.get("unit")):
        problems.append("no unit (the row's or the file's)")
    if "value" in row:
        if not _number(row["value"]):
            problems.append("value is not a number")
    elif not _number(row.get("median")):
        problems.append("neither a median nor a value")
    for key in ("min", "max"):
        if key in row and not _number(row[key]):
            problems.append("%s is not a number" % key)
    if _number(row.get("min")) and _number(row.get("max")) and _number(row.get("median")):
        if not row["min"] <= row["median"] <= row["max"]:
            problems.append("not min <= median <= max")
    for key in ("unit", "group", "note"):
        if key in row and not _text(row[key]):
            problems.append("%s is not a text" % key)
    if "decimals" in row and row["decimals"] not in (0, 1, 2, 3):
        problems.append("decimals is not 0-3")
    if "rounds" in row and (not isinstance(row["rounds"], list) or not all(_number(v) for v in row["rounds"])):
        problems.append("rounds is not a list of numbers")
    target = row.get("target")
    if target is not None and (not isinstance(target, dict) or target.get("op") not in OPS or not _number(target.get("value"))):
        problems.append('target is not {"op": "<=" or ">=", "value": number}')
    return problems


# ---------------------------------------------------------------- figures

def figure(row):
    return row["value"] if "value" in row else row["median"]


def met(row):
    target = row.get("target")
    if not target:
        return None
    return figure(row) <= target["value"] if target["op"] == "<=" else figure(row) >= target["value"]


def fmt(value, decimals):
    if decimals == 0:
        return "{:,.0f}".format(value)
    return "{:,.{}f}".format(value, decimals)


def spread(row, decimals):
    """'min / **median** / max', or the median or value alone when that is all the text gave."""
    if "value" in row:
        return fmt(row["value"], decimals)
    if "min" in row and "max" in row:
        return "%s / **%s** / %s" % (fmt(row["min"], decimals), fmt(row["median"], decimals), fmt(row["max"], decimals))
    return "**%s**" % fmt(row["median"], decimals)


def _rows_in_order(data):
    """(row name, {its unit, chart group, peer, target, decimals, and "runs": {run label: row}}), in first-seen order
    over the runs."""
    order, by_name = [], {}
    for run in data["runs"]:
        for row in run["rows"]:
            name = row["row"]
            if name not in by_name:
                unit = row.get("unit") or data.get("unit")
                by_name[name] = {"unit": unit, "group": row.get("group") or unit, "peer": row.get("peer"),
                                 "target": row.get("target"), "decimals": row.get("decimals", data.get("decimals", 2)), "runs": {}}
                order.append(name)
            by_name[name]["runs"][run["label"]] = row
    return [(name, by_name[name]) for name in order]


# ---------------------------------------------------------------- rendering

def _cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def _target_text(target):
    return "%s %s" % (OPS[target["op"]], fmt(target["value"], 2)) if target else ""


def _what(what, info):
    """The row's name, and under it what it was measured against."""
    return what + (" <br><small>against %s</small>" % html.escape(info["peer"]) if info["peer"] else "")


def table(data):
    rows = _rows_in_order(data)
    runs = data["runs"]
    default_unit = data.get("unit")
    targets = any(row.get("target") for run in runs for row in run["rows"])
    out = []
    if len(runs) == 1:
        head = ["what (against)", "min", "median", "max"] + (["target", "met"] if targets else [])
    else:
        head = ["what (against)"] + [r["label"] for r in runs] + (["target", "met in"] if targets else [])
    out.append("| %s |" % " | ".join(_cell(h) for h in head))
    out.append("|%s" % ("---|" * len(head)))
    for name, info in rows:
        d = info["decimals"]
        what = name if info["unit"] == default_unit else "%s (%s)" % (name, info["unit"])
        if len(runs) == 1:
            row = info["runs"][runs[0]["label"]]
            if row.get("note"):
                what += " (%s)" % row["note"]
            if "value" in row:
                cells = ["", "**%s**" % fmt(row["value"], d), ""]
            else:
                cells = [fmt(row["min"], d) if "min" in row else "", "**%s**" % fmt(row["median"], d),
                         fmt(row["max"], d) if "max" in row else ""]
            ok = met(row)
            if targets:
                cells += [_target_text(row.get("target")), "" if ok is None else ("**met**" if ok else "not met")]
        else:
            cells, hits, measured = [], 0, 0
            for run in runs:
                row = info["runs"].get(run["label"])
                if row is None:
                    cells.append("")
                    continue
                ok = met(row)
                if ok is not None:
                    measured += 1
                    hits += ok
                # the figures kept on one line: a column a run, read across
                cells.append(spread(row, d).replace(" / ", "&nbsp;/&nbsp;") + (": met" if ok else "")
                             + (" (%s)" % row["note"] if row.get("note") else ""))
            if targets:
                texts = {_target_text(r.get("target")) for r in info["runs"].values()}
                cells += [" or ".join(sorted(t for t in texts if t)), "%d of %d runs" % (hits, measured) if measured else ""]
        out.append("| %s |" % " | ".join(_cell(c) for c in [_what(what, info)] + cells))
    return "\n".join(out)


def runs_list(data, link):
    out = []
    for run in data["runs"]:
        machine = run["machine"]
        what = [machine["description"]]
        if machine.get("cpus") is not None:
            what.append("%d CPUs" % machine["cpus"])
        if machine.get("model"):
            what.append(machine["model"])
        parts = ["`%s`" % run["command"].replace("`", "'"),
                 run["date"] + (" " + run["time_utc"] + " UTC" if run.get("time_utc") else ""),
                 "machine: " + ", ".join(what),
                 "load " + run["load"] if run.get("load") else "load not recorded",
                 "commit " + run["commit"] if run.get("commit") else "commit not recorded"]
        line = "- **%s**: %s." % (run["label"], "; ".join(parts))
        if run.get("notes"):
            line += " " + run["notes"]
        out.append(line)
    source = data.get("source")
    data_link = "[`%s`](%s)" % (link["data"][0], link["data"][1])
    if source:
        out.append("\nData: %s, transcribed from %s." % (data_link, ", ".join(
            "[`%s`](%s)" % (s, link[s]) if s in link else "`%s`" % s for s in ([source] if isinstance(source, str) else source))))
    else:
        out.append("\nData: %s, as the script wrote it." % data_link)
    return "\n".join(out)


def _nice_step(span):
    """An axis step of 1, 2, 2.5 or 5 times a power of ten giving about five ticks over span."""
    raw = span / 5.0
    magnitude = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5):
        if raw <= m * magnitude:
            return m * magnitude
    return 10 * magnitude


def chart(data, group, rows):
    """One SVG: per row a group, per run a bar from 0 to the median (or value) and a whisker from min to max; the
    row's target as a dashed line; the file's reference (1.0, parity) as a grey line."""
    runs = [r for r in data["runs"] if any(r["label"] in info["runs"] for _, info in rows)]
    colour = {r["label"]: COLOURS[i % len(COLOURS)] for i, r in enumerate(runs)}
    top = 0.0
    for _, info in rows:
        for row in info["runs"].values():
            top = max(top, row.get("max", figure(row)), figure(row))
        if info["target"]:
            top = max(top, info["target"]["value"])
    # the reference (1.0: parity) belongs to the file's own unit, not to a row's absolute figures
    reference = data.get("reference") if all(info["unit"] == data.get("unit") for _, info in rows) else None
    if reference is not None:
        top = max(top, reference)
    step = _nice_step(top * 1.05 or 1)
    top = step * (int(top * 1.05 / step) + 1)
    left, right, width, bar, gap, head = 180, 20, 760, 14, 10, 16
    scale = (width - left - right) / top

    def x(v):
        return left + v * scale

    parts, y = [], 8
    for row_name, info in rows:
        measured = [r for r in runs if r["label"] in info["runs"]]
        parts.append('<text x="4" y="%d" font-size="12" font-weight="bold">%s</text>' % (y + 12, html.escape(row_name)))
        y += head + 4
        group_top = y
        for run in measured:
            row = info["runs"][run["label"]]
            d = info["decimals"]
            c = colour[run["label"]]
            tip = "%s, %s: %s" % (row_name, run["label"], spread(row, d).replace("**", ""))
            parts.append('<g><title>%s</title>' % html.escape(tip))
            parts.append('<text x="%d" y="%d" font-size="11" text-anchor="end">%s</text>' % (left - 6, y + 11, html.escape(run["label"])))
            parts.append('<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s" fill-opacity="0.35"/>' % (left, y + 2, x(figure(row)) - left, bar - 4, c))
            if "min" in row and "max" in row:
                mid = y + bar / 2
                parts.append('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="1.5"/>' % (x(row["min"]), mid, x(row["max"]), mid, c))
                for v in (row["min"], row["max"]):
                    parts.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" stroke-width="1.5"/>' % (x(v), y + 3, x(v), y + bar - 3, c))
            parts.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" stroke-width="3"/>' % (x(figure(row)), y, x(figure(row)), y + bar, c))
            label_at = x(max(row.get("max", figure(row)), figure(row))) + 4
            parts.append('<text x="%.1f" y="%d" font-size="10" fill="#444">%s</text></g>' % (label_at, y + 11, fmt(figure(row), d)))
            y += bar
        if info["target"]:
            t = info["target"]
            parts.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#c00" stroke-dasharray="4 3" stroke-width="1.5"><title>target %s</title></line>'
                         % (x(t["value"]), group_top - 2, x(t["value"]), y + 2, html.escape(_target_text(t))))
            parts.append('<text x="%d" y="%d" font-size="10" fill="#c00" text-anchor="end">target %s</text>'
                         % (width - right, group_top - 8, html.escape(_target_text(t))))
        y += gap
    axis = y + 4
    body = []
    if reference is not None:
        body.append('<line x1="%.1f" y1="4" x2="%.1f" y2="%d" stroke="#888" stroke-width="1"/>' % (x(reference), x(reference), axis))
    body.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333"/>' % (left, axis, width - right, axis))
    v = 0.0
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) + (1 if step < 10 and abs(step / 10 ** math.floor(math.log10(step)) - 2.5) < 1e-9 else 0)
    while v <= top + 1e-9:
        body.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#333"/>' % (x(v), axis, x(v), axis + 4))
        body.append('<text x="%.1f" y="%d" font-size="10" text-anchor="middle">%s</text>' % (x(v), axis + 15, fmt(v, decimals)))
        v += step
    body.append('<text x="%d" y="%d" font-size="11" text-anchor="middle">%s</text>' % ((left + width - right) // 2, axis + 30, html.escape(group)))
    height = axis + 38
    summary = "%s: %s" % (data["title"], group)
    return ('<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="%s" viewBox="0 0 %d %d" width="100%%" '
            'style="max-width:%dpx;font-family:sans-serif">%s%s</svg>' % (html.escape(summary, quote=True), width, height, width,
                                                                          "".join(body), "".join(parts)))


def render(data, name, link):
    """The Markdown that replaces <!-- result: NAME -->."""
    rows = _rows_in_order(data)
    by_group, order = {}, []
    for row_name, info in rows:
        if info["group"] not in by_group:
            by_group[info["group"]] = []
            order.append(info["group"])
        by_group[info["group"]].append((row_name, info))
    svgs = "".join(chart(data, group, by_group[group]) for group in order)
    intro = "**%s**" % data["title"]
    if data.get("unit"):
        intro += " (%s)" % data["unit"]
    if data.get("about"):
        intro += ". " + data["about"]
    whiskers = any("min" in row for _, info in rows for row in info["runs"].values())
    caption = "%s%s%s" % ("min–max whisker, median bar" if whiskers else "a bar per figure",
        "; dashed: the target" if any(info["target"] for _, info in rows) else "",
        "; grey: %s (parity)" % fmt(data["reference"], 2) if data.get("reference") is not None else "")
    return "\n".join([
        intro, "", table(data), "", runs_list(data, link), "",
        '<figure class="result-chart" id="result-%s" data-result="%s">%s<figcaption>%s: %s</figcaption></figure>'
        % (name, name, svgs, html.escape(data["title"].replace("`", "")), caption), ""])


# ---------------------------------------------------------------- the hook

_shown = set()


def _error(message):
    try:
        from mkdocs.exceptions import PluginError
    except ImportError:  # pragma: no cover - only without MkDocs
        raise ResultError(message)
    raise PluginError(message)


def _root(config):
    return os.path.dirname(os.path.abspath(config["config_file_path"]))


def on_pre_build(config):
    _shown.clear()
    problems = []
    for name in names(_root(config)):
        try:
            load(_root(config), name)
        except ResultError as e:
            problems.append(str(e))
    if problems:
        _error("malformed result files:\n  " + "\n  ".join(problems))


def on_page_markdown(markdown, page, config, files):
    root = _root(config)
    here = os.path.dirname(os.path.join(os.path.abspath(config["docs_dir"]), page.file.src_path))

    def replace(match):
        name = match.group(1)
        try:
            data = load(root, name)
        except ResultError as e:
            _error("%s: %s" % (page.file.src_path, e))
        def rel(path):  # from the page to a file of the checkout; hooks.py rewrites it for the built site
            return os.path.relpath(os.path.join(root, path), here).replace(os.sep, "/")

        data_path = os.path.join(RESULTS_DIR, name + ".json")
        link = {"data": (data_path.replace(os.sep, "/"), rel(data_path))}
        sources = data.get("source") or []
        for s in [sources] if isinstance(sources, str) else sources:
            if os.path.exists(os.path.join(root, s)):
                link[s] = rel(s)
        _shown.add(name)
        return render(data, name, link)

    return PLACEHOLDER.sub(replace, markdown)


def on_post_build(config):
    missing = [n for n in names(_root(config)) if n not in _shown]
    if missing:
        _error("result files shown on no page (add <!-- result: NAME --> to a page under docs/performance): "
               + ", ".join(os.path.join(RESULTS_DIR, n + ".json") for n in missing))
