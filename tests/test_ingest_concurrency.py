"""`headlines ingest` on the embedded store: a re-used id says `updated`; two concurrent runs sharing articles
both complete and lose nothing (issue 15, items 4 and 5)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

FAST = {"HEADLINES_SUMMARIZER": "lead", "HEADLINES_TAGGER": "exact", "HEADLINES_EMBED": "false"}


def _article(n: int, tag: str = "") -> str:
    return json.dumps(
        {
            "id": f"art-{tag}{n}",
            "title": f"France report {tag}{n}",
            "url": f"https://news.example/{tag}{n}",
            "body": f"France and Germany met in Paris on day {n}. They agreed on item {tag}{n}.",
        }
    )


def _ingest(path: Path, db: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, **FAST, "HEADLINES_DB": str(db)}
    return subprocess.Popen(
        [sys.executable, "-m", "headlines", "ingest", "--input", str(path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_an_id_reused_for_another_article_updates_that_story_and_says_so(tmp_path: Path) -> None:
    src = tmp_path / "dup.jsonl"
    first = {"id": "same", "title": "Paris floods", "url": "https://a.example/1", "body": "France: floods in Paris today."}
    second = {"id": "same", "title": "Lyon fire", "url": "https://b.example/2", "body": "France: a fire in Lyon today."}
    src.write_text(json.dumps(first) + "\n" + json.dumps(second) + "\n")
    proc = _ingest(src, tmp_path / "h.db")
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    assert [json.loads(line)["status"] for line in out.decode().splitlines()] == ["stored", "updated"]


def test_two_concurrent_ingests_sharing_articles_both_complete_and_lose_nothing(tmp_path: Path) -> None:
    shared = [_article(n) for n in range(100)]
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text("\n".join(shared + [_article(n, "a") for n in range(60)]) + "\n")
    b.write_text("\n".join(shared + [_article(n, "b") for n in range(60)]) + "\n")
    db = tmp_path / "shared.db"
    procs = [_ingest(a, db), _ingest(b, db)]
    outputs = [p.communicate(timeout=600) for p in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err.decode()[-2000:]
        records = [json.loads(line) for line in out.decode().splitlines()]
        assert len(records) == 160 and all(r.get("status") in ("stored", "updated") for r in records)
    from headlines.store.sqlite import SQLiteStore

    store = SQLiteStore(db)
    try:
        assert store.count() == 220  # 100 shared + 60 + 60: nothing lost, nothing doubled
        assert all(store.get(f"art-{tag}{n}") is not None for tag in ("", "a", "b") for n in range(60))
    finally:
        store.close()
