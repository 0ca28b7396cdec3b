"""`eval events`: pairwise scores and false merges per negative kind, on a small file (no ../shared needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from headlines.evaluation.events import EventDataError, Pair, evaluate_events, load_pairs, score, stories_of, story_vectors
from headlines.events.rule import EventRule
from tests.fakes.encoders import HashingEncoder


def _write(path: Path) -> Path:
    arts = [
        ("a1", "Rail strike halts trains across France", "Rail workers in France went on strike over pensions.", "2026-11-02"),
        ("a2", "French rail workers strike over pensions", "Trains across France halted as rail workers strike.", "2026-11-02"),
        ("a3", "Floods force evacuations in Nimes", "Heavy rain flooded Nimes in southern France.", "2026-11-03"),
        ("a4", "Rail strike halts trains across France", "Rail workers in France went on strike over pensions.", "2026-09-01"),
    ]
    lines = [json.dumps({"article": {"id": i, "title": t, "body": b, "published": f"{d}T08:00:00Z"}}) for i, t, b, d in arts]
    pairs = [
        ("a1", "a2", True, "same", "tune"),
        ("a1", "a3", False, "same_week", "tune"),
        ("a1", "a4", False, "older", "check"),
        ("a2", "a3", False, "same_week", "check"),
    ]
    lines += [json.dumps({"pair": {"a": a, "b": b, "same": s, "kind": k, "split": sp}}) for a, b, s, k, sp in pairs]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_scores_systems_per_split(tmp_path: Path) -> None:
    articles, pairs = load_pairs(_write(tmp_path / "p.jsonl"))
    stories = stories_of(articles)
    result = evaluate_events(
        articles, pairs, story_vectors(stories, HashingEncoder()), stories, EventRule(threshold=0.6, floor=0.1)
    )
    rows = {(r["split"], r["system"]): r for r in result["rows"]}
    ev = rows[("all", "events")]
    # a4 is word for word a1 but two months earlier: the window keeps it apart; the flood is another event.
    assert ev["recall"] == 1.0 and ev["false_merge_older"] == 0.0 and ev["false_merge_same_week"] == 0.0
    assert rows[("all", "headline overlap")]["false_merge_older"] == 1.0  # identical headline, any age
    assert rows[("tune", "events")]["n_same_week"] == 1 and rows[("check", "events")]["n_older"] == 1


def test_score_arithmetic() -> None:
    pairs = [Pair("a", "b", True, "same", "t"), Pair("c", "d", True, "same", "t"), Pair("a", "c", False, "older", "t")]
    said = {("a", "b"): True, ("c", "d"): False, ("a", "c"): True}
    row = score(pairs, lambda p: said[(p.a, p.b)])
    assert (row["precision"], row["recall"], row["f1"]) == (0.5, 0.5, 0.5)
    assert row["false_merge_older"] == 1.0 and row["false_merge_same_week"] is None


def test_bad_files_are_clear_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"pair": {"a": "x", "b": "y", "same": true, "kind": "same"}}\n')
    with pytest.raises(EventDataError, match="does not hold"):
        load_pairs(bad)
    bad.write_text("not json\n")
    with pytest.raises(EventDataError, match=r"bad\.jsonl:1"):
        load_pairs(bad)
    with pytest.raises(EventDataError, match="cannot read"):
        load_pairs(tmp_path / "missing.jsonl")
