#!/usr/bin/env bash
# Builds the documentation site (mkdocs.yml: the pages under docs/) into target/site, offline, and checks its links
# (tools/docs-site/check_links.py) and that every benchmark result file (benchmarks/results/*.json) is well formed and
# shown on a page (tools/docs-site/check_results.py; the hook tools/docs-site/results.py draws them). Open
# target/site/index.html in a browser, or serve it: `mkdocs serve`.
#
#   tools/docs-site.sh
#
# Needs MkDocs and its Material theme (Debian: apt-get install -y mkdocs mkdocs-material): installed here when they are
# missing and apt-get can (root). Exit status: not 0 when the build warns (strict), a link is broken or a result file is
# malformed or shown on no page.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v mkdocs >/dev/null || ! /usr/bin/python3 -c 'import material, pymdownx' 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mkdocs mkdocs-material >/dev/null
  else
    echo "docs-site: MkDocs and its Material theme are missing: sudo apt-get install -y mkdocs mkdocs-material" >&2
    exit 1
  fi
fi
mkdocs build --strict --clean --quiet
/usr/bin/python3 tools/docs-site/check_links.py target/site
/usr/bin/python3 tools/docs-site/check_shell_blocks.py   # the names the getting-started and how-to commands use
/usr/bin/python3 tools/docs-site/check_results.py target/site
