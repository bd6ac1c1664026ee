#!/usr/bin/env python3
"""Checks the names the getting-started and how-to pages' command blocks use (issue 76, "snippets that run").

Their resources and configuration are snippets of files the tests load (pymdownx.snippets); of their shell commands,
the laptop page's run against the started application (DemoApplicationTest) and the Kubernetes and upgrade pages' on
the real node (the e2e suite's PageCommands); the others cannot all run in a test (a bucket's credentials, a source
Redis to edit in), so this reads each fenced block of docs/getting-started/*.md and docs/how-to/*.md that is a shell
block (bash, sh, shell, console) or unlabelled, and fails when one names:

- a path of the repository that does not exist: a word starting with `./` or with a top-level entry of the checkout
  followed by `/` (`operator/examples/small.yaml`, `./helm/percore-operator`, `tools/x.sh`, `demo-service/run.sh`),
  the file of a `-f`/`--filename`/`--values` option, and, under `<module>/target/` (a build's output, absent from a
  checkout), a module that is not one of the root pom's or a jar not named `<artifactId>-<version>` of that module;
- a Maven module (`-pl a,b`, `--projects`, `:artifactId`) that the root pom.xml does not list;
- a `percore.*` property set with `=` (`--percore.x.y=`, `-Dpercore.x.y=`, `percore.x.y=`) that is in neither
  generated or test-checked reference: docs/configuration.md (the starter's keys, generated from the model; a test fails
  when it is stale) and docs/reference/demo-service-properties.md (the demo's keys; ConfigurationTableTest checks it
  against the code);
- a class `io.percore....Name` (`java -cp ... io.percore.operator.backup.BackupMain`) with no source file.

XML blocks are read for `io.percore` dependencies: the artifactId must be a module's and the version the project's.
Names are checked, the commands are not run. Exit status 1 when a name is wrong; 2 on bad usage.

    tools/docs-site/check_shell_blocks.py [repository root, default .]
"""
import os
import re
import sys
import xml.etree.ElementTree as ET

SECTIONS = ("docs/getting-started", "docs/how-to")
SHELL = {"bash", "sh", "shell", "console", "zsh", ""}
POM = "{http://maven.apache.org/POM/4.0.0}"
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<lang>[\w+-]*)")
PROPERTY = re.compile(r"(?<![\w.-])(?:--|-D)?(percore(?:\.[A-Za-z0-9_\[\]*-]+)+)=")
CLASS = re.compile(r"(?<![\w.])io\.percore(?:\.[a-z][a-z0-9_]*)+\.[A-Z]\w*")
FILE_OPTION = re.compile(r"(?:^|\s)(?:-f|--filename|--values)(?:\s+|=)(\S+)")
MODULE_OPTION = re.compile(r"(?:^|\s)(?:-pl|--projects)(?:\s+|=)(\S+)")


def blocks(path):
    """(line number, language, lines) of each fenced block of a markdown file."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, start, body = m.group("fence"), i + 1, []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            body.append(lines[i])
            i += 1
        yield start, m.group("lang").lower(), body
        i += 1


def modules(root):
    """{directory: (artifactId, version)} of the root pom's modules, profiles' included."""
    pom = ET.parse(os.path.join(root, "pom.xml")).getroot()
    version = pom.findtext(POM + "version")
    found = {}
    for module in pom.iter(POM + "module"):
        name = module.text.strip()
        child = ET.parse(os.path.join(root, name, "pom.xml")).getroot()
        found[name] = (child.findtext(POM + "artifactId"),
                       child.findtext(POM + "version") or child.findtext(POM + "parent/" + POM + "version") or version)
    return found, version


def property_patterns(root):
    """Regular expressions of the documented percore.* keys (`<name>` any name, `[i]` any index, `.*` any key below)."""
    keys = set()
    for page in ("docs/configuration.md", "docs/reference/demo-service-properties.md"):
        with open(os.path.join(root, page), encoding="utf-8") as f:
            for line in f:
                if not line.startswith("| `percore"):
                    continue
                last = None
                for word in re.findall(r"`([^`]+)`", line.split("|")[1]):
                    if word.startswith("percore."):
                        last = word
                        keys.add(word)
                    elif last and re.fullmatch(r"\.?[a-z][\w.-]*", word):
                        # `/ .port`, `, .ssl.port`, `/ appendfilename`: a key beside the previous one
                        parts = last.split(".")
                        for n in range(1, len(parts)):
                            keys.add(".".join(parts[:n]) + "." + word.lstrip("."))
    patterns = []
    for key in keys:
        p = re.escape(key).replace(re.escape("<name>"), r"[a-z][a-z0-9-]*").replace(re.escape("[i]"), r"\[\d+\]")
        p = p.replace(r"\.\*", r"\.[a-z0-9.\[\]-]+")
        patterns.append(re.compile(p + r"(?:\[\d+\])?"))
    return patterns


def kebab(name):
    return re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", name).lower()


def check_path(root, word, mods):
    """A problem with a path word, or None."""
    path = word[2:] if word.startswith("./") else word
    path = path.rstrip("/.,;)")
    parts = path.split("/")
    if len(parts) > 1 and parts[1] == "target":
        if parts[0] not in mods:
            return f"'{word}': {parts[0]} is not a module of the root pom.xml"
        artifact, version = mods[parts[0]]
        jar = parts[-1]
        if len(parts) == 3 and jar.endswith(".jar") and "*" not in jar and not re.fullmatch(
                re.escape(artifact) + "-" + re.escape(version) + r"(?:-[\w.-]+)?\.jar", jar):
            return f"'{word}': module {parts[0]} builds {artifact}-{version}.jar"
        return None
    full = os.path.join(root, path)
    if "*" in path:
        import glob
        return None if glob.glob(full) else f"'{word}': no file of the repository matches it"
    return None if os.path.exists(full) else f"'{word}': no such file or directory in the repository"


def main(argv):
    if len(argv) > 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = argv[1] if len(argv) == 2 else "."
    mods, version = modules(root)
    artifacts = {a for a, _ in mods.values()}
    tops = sorted((e for e in os.listdir(root) if not e.startswith(".") and e != "target"), key=len, reverse=True)
    path_word = re.compile(r"(?<![\w./@-])(\./[\w.*/-]+|(?:" + "|".join(re.escape(t) for t in tops) + r")/[\w.*/-]*)")
    props = property_patterns(root)
    problems, counts = [], {"blocks": 0, "names": 0, "pages": 0}

    for section in SECTIONS:
        for page in sorted(os.listdir(os.path.join(root, section))):
            if not page.endswith(".md"):
                continue
            rel = f"{section}/{page}"
            counts["pages"] += 1
            for start, lang, body in blocks(os.path.join(root, rel)):
                if all(l.strip().startswith("--8<--") or not l.strip() for l in body):
                    continue  # a file the tests load, included whole
                if lang == "xml":
                    text = "<r>" + "\n".join(body) + "</r>"
                    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
                    for dep in ET.fromstring(text).iter("dependency"):
                        if dep.findtext("groupId") != "io.percore":
                            continue
                        counts["names"] += 1
                        a, v = dep.findtext("artifactId"), dep.findtext("version")
                        if a not in artifacts:
                            problems.append(f"{rel}:{start}: artifact io.percore:{a} is not a module of the root pom.xml")
                        elif v and v != version:
                            problems.append(f"{rel}:{start}: io.percore:{a}:{v}, but the project's version is {version}")
                    continue
                if lang not in SHELL:
                    continue
                counts["blocks"] += 1
                for n, line in enumerate(body, start + 1):
                    where = f"{rel}:{n}"
                    for word in path_word.findall(line):
                        counts["names"] += 1
                        problem = check_path(root, word, mods)
                        if problem:
                            problems.append(f"{where}: {problem}")
                    for arg in FILE_OPTION.findall(line):
                        arg = arg.strip("'\"")
                        if arg == "-" or "://" in arg or arg.startswith(("/", "$", "<")) or path_word.fullmatch(arg):
                            continue
                        counts["names"] += 1
                        problem = check_path(root, arg, mods)
                        if problem:
                            problems.append(f"{where}: {problem}")
                    for arg in MODULE_OPTION.findall(line):
                        for module in arg.strip("'\"").split(","):
                            module = module.lstrip("!?").rstrip("/")
                            counts["names"] += 1
                            known = module[1:] in artifacts if module.startswith(":") else module in mods
                            if not known:
                                problems.append(f"{where}: -pl {module}: not a module of the root pom.xml")
                    for prop in PROPERTY.findall(line):
                        counts["names"] += 1
                        key = ".".join(kebab(p) for p in prop.split("."))
                        if not any(p.fullmatch(key) for p in props):
                            problems.append(f"{where}: property {prop} is in neither docs/configuration.md nor "
                                            f"docs/reference/demo-service-properties.md")
                    for cls in CLASS.findall(line):
                        counts["names"] += 1
                        source = cls.replace(".", "/") + ".java"
                        if not any(os.path.exists(os.path.join(root, m, "src/main/java", source)) for m in mods):
                            problems.append(f"{where}: class {cls} has no source in a module's src/main/java")

    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"check_shell_blocks: {counts['pages']} pages, {counts['blocks']} shell blocks, {counts['names']} names "
          f"(paths, modules, properties, classes, artifacts) checked, {len(problems)} wrong")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
