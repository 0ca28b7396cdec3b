"""The BBC quiz check of `headlines eval answers` (benchmarks/bbc_qa_corpus.py and its questions)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from headlines.evaluation.answers import load_questions
from tests.scripts import load_script

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def corpus_builder() -> ModuleType:
    return load_script("benchmarks/bbc_qa_corpus.py")


def test_the_corpus_is_the_first_articles_of_each_category_in_file_order(corpus_builder: ModuleType, tmp_path: Path) -> None:
    rows = [
        {"id": f"bbc-{cat}-{n:03d}", "category": cat, "title": f"{cat} {n}", "body": "Body.", "reference": "Ref."}
        for n in range(5)
        for cat in ("sport", "business")
    ]
    data = tmp_path / "bbc.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    articles = corpus_builder.build(data, 2)
    assert [a["id"] for a in articles] == ["bbc-business-000", "bbc-business-001", "bbc-sport-000", "bbc-sport-001"]
    assert set(articles[0]) == {"id", "title", "body"}  # what `eval answers` reads; the reference stays out


def test_the_questions_are_answerable_spread_over_categories_and_inside_the_corpus() -> None:
    cases = load_questions(ROOT / "benchmarks" / "data" / "bbc_quiz_questions.jsonl")
    assert len(cases) == 30 and len({c.qid for c in cases}) == 30
    assert all(c.answers and len(c.gold_ids) == 1 and c.as_of is None for c in cases)
    assert Counter(c.gold_ids[0].split("-")[1] for c in cases) == dict.fromkeys(
        ("business", "entertainment", "politics", "sport", "tech"), 6
    )
