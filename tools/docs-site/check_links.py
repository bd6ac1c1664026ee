"""Checks every link of the built documentation site: each relative href or src of every page leads to a file that
exists (a page, an asset, or a file of the checkout a page links to), and each #anchor into a page names an id that
page has. Links to other sites are not followed (the site is built and read offline). And every page renders the
site's navigation and its search box, and the search index holds every page.

    python3 tools/docs-site/check_links.py [SITE_DIR]     (default: target/site)

Exit status 1, with every broken link listed, when one is broken.
"""
import json
import os
import sys
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids = set()
        self.links = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("id", "name") and value:
                self.ids.add(value)
            if value and (name == "href" and tag in ("a", "link") or name == "src" and tag in ("img", "script")):
                self.links.append(value)


def main():
    site = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/site")
    pages = {}
    for folder, _, names in os.walk(site):
        for name in names:
            if name.endswith(".html"):
                path = os.path.join(folder, name)
                page = Page()
                with open(path, encoding="utf-8") as f:
                    page.feed(f.read())
                pages[path] = page
    if not pages:
        print("check_links: no page under %s: build the site first (tools/docs-site.sh)" % site, file=sys.stderr)
        return 1
    broken = []
    checked = 0
    for path, page in sorted(pages.items()):
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith("//"):
                continue
            checked += 1
            if not parts.path:
                target = path
            elif parts.path.startswith("/"):  # from the site's root, as the 404 page's links are
                target = os.path.normpath(os.path.join(site, unquote(parts.path).lstrip("/")))
            else:
                target = os.path.normpath(os.path.join(os.path.dirname(path), unquote(parts.path)))
            if os.path.isdir(target) and (target + os.sep).startswith(site + os.sep):
                target = os.path.join(target, "index.html")  # a folder of the checkout outside the site is its own target
            where = os.path.relpath(path, site)
            if not os.path.exists(target):
                broken.append("%s: %s (no file %s)" % (where, link, os.path.relpath(target, site)))
            elif parts.fragment and target in pages and unquote(parts.fragment) not in pages[target].ids:
                broken.append("%s: %s (no id %s in %s)" % (where, link, parts.fragment, os.path.relpath(target, site)))
    for line in broken:
        print("broken link: " + line)
    unrendered = rendered(site, pages)
    for line in unrendered:
        print("page: " + line)
    print("check_links: %d pages, %d links checked, %d broken; %d pages without their navigation, search box or index entry"
          % (len(pages), checked, len(broken), len(unrendered)))
    return 1 if broken or unrendered else 0


def rendered(site, pages):
    """Each page with the primary navigation and the search box; each in the search index."""
    problems = []
    index = os.path.join(site, "search", "search_index.json")
    if not os.path.exists(index):
        return ["search/search_index.json: missing (the search plugin did not run)"]
    with open(index, encoding="utf-8") as f:
        indexed = {d["location"].split("#")[0] for d in json.load(f)["docs"]}
    for path in sorted(pages):
        where = os.path.relpath(path, site)
        if where == "404.html":
            continue
        with open(path, encoding="utf-8") as f:
            html = f.read()
        if "md-nav--primary" not in html:
            problems.append("%s: no navigation" % where)
        if 'data-md-component="search"' not in html:
            problems.append("%s: no search box" % where)
        if where.replace(os.sep, "/") not in indexed and not (where == "index.html" and "" in indexed):
            problems.append("%s: not in the search index" % where)
    return problems


if __name__ == "__main__":
    sys.exit(main())
