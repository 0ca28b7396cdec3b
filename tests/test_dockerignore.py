"""Every COPY/ADD source of every Dockerfile reaches the build context, and base images are pinned.

`sam build` sends the repository root as the worker image's context, filtered by `.dockerignore`; a source
the filter drops fails the build only there (no Docker in CI). The matcher follows Docker's rules
(moby/patternmatcher): patterns are cleaned paths, `*`/`?` stop at `/`, `**` spans directories, a pattern
that matches a parent directory matches everything below it, `!` re-includes, and the last match wins.
"""

from __future__ import annotations

import json
import posixpath
import re
import shlex
import subprocess
from functools import lru_cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCKERFILES = sorted(REPO.glob("infra/Dockerfile*"))


def _regex(pattern: str) -> re.Pattern[str]:
    out, i = "", 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**", i):
            i += 2
            if pattern.startswith("/", i):  # "**/" : zero or more directories
                i += 1
                out += "(?:.*/)?"
            else:
                out += ".*"
            continue
        out += {"*": "[^/]*", "?": "[^/]"}.get(c, re.escape(c))
        i += 1
    return re.compile(f"^{out}$")


def parse_dockerignore(text: str) -> list[tuple[bool, re.Pattern[str]]]:
    """(excludes, regex) per rule, in order: `!rule` re-includes."""
    rules = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        pattern = posixpath.normpath(line.removeprefix("!").strip()).lstrip("/")
        rules.append((not negated, _regex(pattern)))
    return rules


def excluded(path: str, rules: list[tuple[bool, re.Pattern[str]]]) -> bool:
    """Docker's verdict on a context path: the last rule matching it, or one of its parent directories, wins."""
    parts = path.split("/")
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    verdict = False
    for excludes, regex in rules:
        if any(regex.match(c) for c in candidates):
            verdict = excludes
    return verdict


def copy_sources(dockerfile: Path) -> list[str]:
    """Sources of every COPY/ADD that reads the build context (not `--from=` another stage)."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    sources: list[str] = []
    for line in text.splitlines():
        words = line.strip().split(None, 1)
        if len(words) < 2 or words[0].upper() not in ("COPY", "ADD"):
            continue
        rest = words[1].strip()
        args = json.loads(rest) if rest.startswith("[") else shlex.split(rest)
        flags = [a for a in args if a.startswith("--")]
        if any(f.startswith("--from=") for f in flags):
            continue
        paths = [a for a in args if not a.startswith("--")]
        assert len(paths) >= 2, f"{dockerfile.name}: {line}"
        sources += paths[:-1]
    return sources


@lru_cache(maxsize=1)
def tracked_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO, capture_output=True, text=True)
    if out.returncode != 0:  # not a git checkout (an sdist): every file on disk
        return [str(p.relative_to(REPO)) for p in REPO.rglob("*") if p.is_file()]
    return [line for line in out.stdout.splitlines() if (REPO / line).is_file()]


def files_of(source: str) -> list[str]:
    source = posixpath.normpath(source).lstrip("/")
    if source == ".":
        return tracked_files()
    return [f for f in tracked_files() if f == source or f.startswith(source + "/")]


RULES = parse_dockerignore((REPO / ".dockerignore").read_text())


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_every_copy_source_survives_dockerignore(dockerfile: Path) -> None:
    sources = copy_sources(dockerfile)
    assert sources, f"{dockerfile.name} copies nothing from the context?"
    for source in sources:
        files = [f for f in files_of(source) if "__pycache__" not in f]
        assert files, f"{dockerfile.name}: COPY source {source!r} does not exist in the repository"
        dropped = [f for f in files if excluded(f, RULES)]
        assert not dropped, f"{dockerfile.name}: COPY {source} but .dockerignore drops {dropped[:5]}"


def test_the_context_is_small() -> None:
    """The filter still does its job: tests, docs, the venv and data stay out."""
    kept_out = ("tests/test_template.py", "docs/deploy.md", ".venv/bin/python", "template.yaml", "functions/x/__pycache__/a.pyc")
    for path in kept_out:
        assert excluded(path, RULES), path


def test_matcher_follows_docker_semantics() -> None:
    """The checker can fail: the .dockerignore of the broken release dropped infra/runtime_requirements.py."""
    old = parse_dockerignore("*\n!pyproject.toml\n!README.md\n!functions/\n**/__pycache__\n")
    assert excluded("infra/runtime_requirements.py", old)
    assert not excluded("functions/headlines/settings.py", old)
    assert excluded("functions/headlines/__pycache__/settings.cpython-312.pyc", old)
    last_wins = parse_dockerignore("!docs/a.md\ndocs\n")
    assert excluded("docs/a.md", last_wins)
    reinclude = parse_dockerignore("docs\n!docs/a.md\n")
    assert not excluded("docs/a.md", reinclude) and excluded("docs/b.md", reinclude)
    assert excluded("a/b/c.txt", parse_dockerignore("**/*.txt")) and not excluded("a/b/c.md", parse_dockerignore("*/*.md"))


def test_copy_sources_are_parsed() -> None:
    package = ["pyproject.toml", "README.md", "functions"]
    expected = [*package, "infra/runtime_requirements.py", *package]
    assert copy_sources(REPO / "infra" / "Dockerfile") == expected


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_base_images_are_pinned(dockerfile: Path) -> None:
    """A base image names a dated release (or a digest), never a moving tag like `python:3.12`."""
    text = dockerfile.read_text()
    args = dict(re.findall(r"^ARG (\w+)=(\S+)", text, re.M))
    stages = set(re.findall(r"^FROM \S+ AS (\w+)", text, re.M))
    for image in re.findall(r"^FROM (\S+)", text, re.M):
        image = re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args.get(m.group(1) or m.group(2), m.group(0)), image)
        if image in stages:
            continue
        assert "@sha256:" in image or re.search(r":\d+\.\d+\.\d{4}\.\d{2}\.\d{2}", image), f"{dockerfile.name}: unpinned {image}"
