"""Checks every link of the built documentation site: each relative href or src of every page leads to a file that
exists (a page, an asset, or a file of the checkout a page links to), and each #anchor into a page names an id that
page has. Links to other sites are not followed (the site is built and read offline).

    python3 tools/docs-site/check_links.py [SITE_DIR]     (default: target/site)

Exit status 1, with every broken link listed, when one is broken.
"""
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
    print("check_links: %d pages, %d links checked, %d broken" % (len(pages), checked, len(broken)))
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
