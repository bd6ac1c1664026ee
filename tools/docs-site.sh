#!/usr/bin/env bash
# Builds the documentation site (mkdocs.yml: the pages under docs/) into target/site, offline, and checks its links
# (tools/docs-site/check_links.py) and that every benchmark result file (benchmarks/results/*.json) is well formed and
# shown on a page (tools/docs-site/check_results.py; the hook tools/docs-site/results.py draws them); then headless
# Chromium opens the home page, a how-to and a reference page served over HTTP: each renders its navigation and search
# box, and a search lists results (tools/docs-site/browser_check.py; screenshots in target/site-screenshots). Open
# target/site/index.html in a browser, or serve it: `mkdocs serve`.
#
#   tools/docs-site.sh
#
# Needs MkDocs and its Material theme (Debian: apt-get install -y mkdocs mkdocs-material) and Chromium (chromium):
# installed here when they are missing and apt-get can (root); without Chromium and root the browser check is left out,
# with a line saying so. Exit status: not 0 when the build warns (strict), a link is broken, a result file is malformed
# or shown on no page, or a page renders without its navigation, search box or search results.
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian's theme is a directory of mkdocs' themes, not an importable module: ask mkdocs which themes it has
missing=()
command -v mkdocs >/dev/null && /usr/bin/python3 -c 'import sys, pymdownx; from mkdocs.utils import get_theme_names
sys.exit("material" not in get_theme_names())' 2>/dev/null || missing+=(mkdocs mkdocs-material)
command -v chromium >/dev/null || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    # waits for the dpkg lock: in CI the build's tools/test-prerequisites.sh installs beside this
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" >/dev/null
  elif [[ " ${missing[*]} " == *" mkdocs "* ]]; then
    echo "docs-site: MkDocs and its Material theme are missing: sudo apt-get install -y mkdocs mkdocs-material" >&2
    exit 1
  fi
fi
mkdocs build --strict --clean --quiet
/usr/bin/python3 tools/docs-site/check_links.py target/site
/usr/bin/python3 tools/docs-site/check_shell_blocks.py   # the names the getting-started and how-to commands use
/usr/bin/python3 tools/docs-site/check_results.py target/site
if command -v chromium >/dev/null; then
  /usr/bin/python3 tools/docs-site/browser_check.py target/site target/site-screenshots
else
  echo "docs-site: no Chromium (sudo apt-get install -y chromium): the pages were not opened in a browser" >&2
fi
