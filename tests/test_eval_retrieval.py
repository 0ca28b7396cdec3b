"""`headlines eval retrieval`: sampling, scoring, the rare-word breakdown, and the command end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from headlines.cli.app import app
from headlines.evaluation.retrieval import (
    SHARES_NONE,
    SHARES_RARE,
    Case,
    EvaluationError,
    load_sample,
    score_rankings,
    shares_rare_word,
)

STORIES = [
    (
        "VOLCANO ERUPTS NEAR ICELAND FISHING TOWN",
        "A volcano erupted near the fishing town of Grindavik, forcing the "
        "evacuation of residents. Lava reached the edge of the harbour by the evening.",
    ),
    (
        "CENTRAL BANK RAISES INTEREST RATES",
        "The central bank raised its benchmark interest rate by a quarter point to "
        "curb inflation. Economists had expected the move after strong wage data.",
    ),
    (
        "CHESS CHAMPION WINS TITLE IN TIEBREAK",
        "The reigning chess champion retained the world title after a tense "
        "rapid tiebreak. The challenger blundered a rook in the final game.",
    ),
    (
        "WHEAT HARVEST HIT BY DROUGHT",
        "Farmers expect the wheat harvest to fall sharply after months of drought. "
        "Grain prices rose on the news as traders covered short positions.",
    ),
    (
        "AIRLINE ORDERS FIFTY JETS",
        "The airline ordered fifty narrow-body jets worth several billion dollars. "
        "Deliveries will start in three years and replace its ageing fleet.",
    ),
    (
        "SCIENTISTS MAP CORAL REEF DECLINE",
        "Marine scientists mapped the decline of a coral reef using underwater "
        "drones. Bleaching affected more than half of the surveyed colonies.",
    ),
    (
        "TRAIN DRIVERS STRIKE OVER PAY",
        "Train drivers walked out over pay, halting most rail services. The union said talks with the operator had broken down.",
    ),
    (
        "MUSEUM RETURNS LOOTED BRONZES",
        "The museum returned a collection of looted bronzes to their country of "
        "origin. Curators said the handover ended years of negotiation.",
    ),
    ("ACME CORP SETS QUARTERLY", "Qtly div 10 cts vs 10 cts prior. Pay April 1. Record March 15."),
    ("ZENITH INC SETS QUARTERLY", "Qtly div 22 cts vs 20 cts prior. Pay May 2. Record April 10."),
]


def write_stories(path: Path, extra: list[dict] | None = None) -> Path:
    rows = [{"id": f"r{n}", "title": title, "body": body} for n, (title, body) in enumerate(STORIES)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows + (extra or [])))
    return path


def test_sample_hides_titles_skips_unusable_stories_and_is_seeded(tmp_path: Path) -> None:
    data = write_stories(
        tmp_path / "s.jsonl",
        extra=[
            {"id": "dup", "title": "SAME BODY AGAIN", "body": STORIES[0][1]},  # its body is already in the file
            {"id": "one", "title": "ONEWORD", "body": "A story with a one-word title cannot be asked."},
        ],
    )
    articles, cases = load_sample(data, limit=100, questions=100)
    assert len(articles) == len(STORIES)
    assert all(a.title is None for a in articles)
    assert {c.question for c in cases} == {title for title, _ in STORIES}
    assert {c.story_id for c in cases} == {a.story_id() for a in articles}
    assert load_sample(data, limit=100, questions=3, seed=7)[1] == load_sample(data, limit=100, questions=3, seed=7)[1]
    first, _ = load_sample(data, limit=5, questions=1, offset=0)
    second, _ = load_sample(data, limit=5, questions=1, offset=5)
    assert not {a.id for a in first} & {a.id for a in second}


def test_sample_errors_name_the_line_or_the_window(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "title": "A B", "body": "Text."}\nnot json\n')
    with pytest.raises(EvaluationError, match=r"bad.jsonl:2"):
        load_sample(bad)
    with pytest.raises(EvaluationError, match="nothing left from offset 50"):
        load_sample(write_stories(tmp_path / "s.jsonl"), offset=50)


def test_scores_count_rank_one_top_five_and_reciprocal_rank() -> None:
    cases = [Case("q1", "a"), Case("q2", "b"), Case("q3", "c")]
    ranked = {"q1": ["a", "x"], "q2": ["x", "y", "b"], "q3": ["x"]}
    scores = score_rankings("s", cases, lambda q: ranked[q])
    assert scores.recall_at_1 == pytest.approx(1 / 3)
    assert scores.recall_at_5 == pytest.approx(2 / 3)
    assert scores.mrr == pytest.approx((1 + 1 / 3) / 3)


def test_a_rare_word_is_one_few_stories_hold() -> None:
    df = {"acme": 0, "quarter": 40, "volcano": 2, "iceland": 11}.get
    assert shares_rare_word(["volcano", "erupt"], ["volcano", "lava"], lambda t: df(t, 0), 1000)
    assert not shares_rare_word(["iceland"], ["iceland"], lambda t: df(t, 0), 1000)  # 11 > 1% of 1000
    assert not shares_rare_word(["acme", "quarter"], ["quarter", "dividend"], lambda t: df(t, 0), 1000)


@pytest.mark.model
def test_command_scores_both_systems_and_splits_out_titles_the_text_cannot_identify(tmp_path: Path) -> None:
    data = write_stories(tmp_path / "s.jsonl")
    args = ["eval", "retrieval", "--data", str(data), "--limit", "10", "--questions", "10"]
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert (report["stories"], report["questions"]) == (10, 10)
    hybrid, bm25 = report["results"]
    assert hybrid["system"].startswith("hybrid") and bm25["system"].startswith("BM25")
    parts = {part["subset"]: part for part in report["breakdown"]}
    # The eight topical titles share a word only their story holds; the two dividend tables share only
    # "quarter"/"dividend", which both tables hold, and their company names are in no stored text.
    assert parts[SHARES_RARE]["questions"] == 8 and parts[SHARES_NONE]["questions"] == 2
    assert parts[SHARES_RARE]["results"][0]["recall_at_1"] == 1.0
    assert 0.8 <= hybrid["recall_at_1"] <= 1.0 and hybrid["recall_at_5"] == 1.0

    table = CliRunner().invoke(app, args)
    assert table.exit_code == 0, table.output
    assert "Recall@1" in table.stdout and "no (2 titles)" in table.stdout and "yes (8 titles)" in table.stdout


def test_command_rejects_a_missing_file_with_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "retrieval", "--data", str(tmp_path / "none.jsonl")])
    assert result.exit_code == 2
    assert "cannot read" in result.output
