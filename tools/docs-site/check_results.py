"""Checks that the benchmarks' result files and the built documentation site are in step: every
benchmarks/results/*.json is well formed (a title; each run with a label, its command, its date, its machine and its
rows; each row with what was measured, its unit, its peer and its figures: benchmarks/results/README.md) and is shown
on a page of the site (the hook tools/docs-site/results.py marks each one it draws with data-result="NAME").

    python3 tools/docs-site/check_results.py [SITE_DIR]     (default: target/site; run after the build)

Exit status 1, with every problem listed, when a file is malformed or shown on no page.
"""
import os
import re
import sys

import results

SHOWN = re.compile(r'data-result="([^"]+)"')


def main():
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    site = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "target", "site"))
    shown = {}
    for folder, _, files in os.walk(site):
        for name in files:
            if name.endswith(".html"):
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8") as f:
                    for match in SHOWN.finditer(f.read()):
                        shown.setdefault(match.group(1), []).append(os.path.relpath(path, site))
    problems = []
    names = results.names(root)
    for name in names:
        try:
            results.load(root, name)
        except results.ResultError as e:
            problems.append(str(e))
        if name not in shown:
            problems.append("%s: shown on no page (add <!-- result: %s --> to a page)"
                            % (os.path.join(results.RESULTS_DIR, name + ".json"), name))
    for name in sorted(set(shown) - set(names)):
        problems.append("%s: shows result %s, which has no file" % (", ".join(shown[name]), name))
    for line in problems:
        print("result: " + line)
    print("check_results: %d result files, %d problems" % (len(names), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
