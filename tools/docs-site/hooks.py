"""MkDocs hooks of the documentation site (mkdocs.yml).

A page may link to any file of the repository: a module's README, a benchmark script, a test. Such a file is not a
page, and MkDocs (strict) refuses a link it cannot resolve among the pages. Those links leave the Markdown as
"repo:PATH", which MkDocs leaves alone, and the page's HTML gets the path from where the page is written
(target/site/...) to the file in the checkout: the site read from the checkout reaches it. check_links.py
checks that every such file exists.
"""
import os
import re

LINK = re.compile(r"\]\((?!https?:|mailto:|#|repo:)([^)\s]+)\)")
REPO_HREF = re.compile(r'(href|src)="repo:([^"#]*)(#[^"]*)?"')


def _root(config):
    return os.path.dirname(os.path.abspath(config["config_file_path"]))


def on_page_markdown(markdown, page, config, files):
    docs = os.path.abspath(config["docs_dir"])
    here = os.path.dirname(os.path.join(docs, page.file.src_path))
    pages = {f.abs_src_path for f in files}

    def rewrite(match):
        target = match.group(1)
        path, _, anchor = target.partition("#")
        resolved = os.path.normpath(os.path.join(here, path))
        if resolved in pages or resolved.startswith(docs + os.sep) and os.path.exists(resolved):
            return match.group(0)
        relative = os.path.relpath(resolved, _root(config))
        return "](repo:" + relative + ("#" + anchor if anchor else "") + ")"

    # not inside fenced code: split on fences and rewrite the text between them only
    parts = re.split(r"(```.*?```)", markdown, flags=re.S)
    return "".join(p if p.startswith("```") else LINK.sub(rewrite, p) for p in parts)


def on_page_content(html, page, config, files):
    written = os.path.dirname(os.path.join(os.path.abspath(config["site_dir"]), page.file.dest_path))

    def href(match):
        target = os.path.relpath(os.path.join(_root(config), match.group(2)), written)
        return '%s="%s%s"' % (match.group(1), target, match.group(3) or "")

    return REPO_HREF.sub(href, html)
