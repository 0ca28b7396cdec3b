"""`headlines process --explain`: per country tag, the strings in the article that produced it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

GAZETTEER = {"HEADLINES_SUMMARIZER": "lead", "HEADLINES_TAGGER": "gazetteer"}

STORIES = [
    {
        "id": "texas",
        "title": "Paris man held after chase",
        "body": "Lamar County deputies arrested a Paris man on Sunday near Sulphur Springs, Texas, officials said.",
    },
    {"id": "home", "source_country": "NZ", "body": "The council met on Monday and approved the new budget."},
]


def _process(*flags: str) -> list[dict]:
    proc = subprocess.run(
        [sys.executable, "-m", "headlines", "process", *flags],
        input="\n".join(json.dumps(s) for s in STORIES) + "\n",
        env={**os.environ, **GAZETTEER},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_explain_adds_evidence_per_tag_and_default_output_is_unchanged() -> None:
    plain, explained = _process(), _process("--explain")
    assert all("evidence" not in r for r in plain)
    for p, e in zip(plain, explained, strict=True):
        assert {k: v for k, v in e.items() if k != "evidence"} == p
        assert set(e["evidence"]) == {c["code"] for c in e["countries"]}
    texas = explained[0]
    assert [c["code"] for c in texas["countries"]] == ["US"]
    assert texas["evidence"]["US"] == ["Paris", "Lamar County", "Sulphur Springs", "Texas"]
    # No place in the story: the feed's home country is the tag, and the evidence says so.
    assert explained[1]["evidence"] == {"NZ": ["source_country"]}
