"""`headlines eval summaries`: ROUGE rows for the system and the baselines, the oracle's ceiling, bad data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from headlines.evaluation.summaries import SummaryExample, evaluate_summaries, greedy_oracle, reference_sentences
from headlines.summarize.lead import LeadSummarizer

BODY = (
    "The city council met on Monday evening. Members argued about the weather for an hour. "
    "The council approved a new budget for public transport. Bus fares will fall by ten percent next year. "
    "Some residents said they would rather have more trains. The mayor thanked everyone for coming."
)
REFERENCE = "The council approved a new budget for public transport.Bus fares will fall by ten percent next year."


def write_data(path: Path) -> Path:
    rows = [
        {"id": "a", "title": "Council cuts fares", "body": BODY, "reference": REFERENCE},
        {"id": "b", "title": "Other", "body": BODY.replace("Monday", "Tuesday"), "reference": REFERENCE},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def run_eval(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "headlines", "eval", "summaries", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "HEADLINES_SUMMARIZER": "lead", "COLUMNS": "160"},
        timeout=120,
    )


def test_glued_reference_sentences_are_split() -> None:
    assert reference_sentences(REFERENCE) == [
        "The council approved a new budget for public transport.",
        "Bus fares will fall by ten percent next year.",
    ]


def test_oracle_finds_the_reference_sentences_and_beats_lead() -> None:
    from headlines.evaluation.summaries import _Rouge
    from headlines.text import split_sentences

    picked = greedy_oracle(_Rouge(), split_sentences(BODY), REFERENCE, 2)
    assert picked == reference_sentences(REFERENCE)
    result = evaluate_summaries([SummaryExample(id="a", body=BODY, reference=REFERENCE)], LeadSummarizer(), sentences=2)
    rows = {r["name"]: r for r in result["rows"]}
    assert rows["oracle (2 sent.)"]["rouge2"] == 100.0
    assert rows["Lead-3"]["rouge2"] < 100.0 and rows["Lead-3"]["sentences"] == 3
    assert result["lead3_to_oracle_gap_closed"] is not None


def test_eval_command_prints_table_and_json(tmp_path: Path) -> None:
    data = write_data(tmp_path / "dev.jsonl")
    table = run_eval("--data", str(data), "--sentences", "2")
    assert table.returncode == 0, table.stderr
    for label in ("system (lead)", "Lead-1", "Lead-3", "oracle (2 sent.)", "ROUGE-Lsum", "gap closed"):
        assert label in table.stdout
    as_json = run_eval("--data", str(data), "--sentences", "2", "--json", "--max-words", "12")
    result = json.loads(as_json.stdout)
    assert result["data_size"] == 2 and result["max_words"] == 12
    system = result["rows"][0]
    assert system["words"] <= 12 and 0 <= system["rouge2"] <= 100


def test_eval_command_names_the_bad_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "body": "Text.", "reference": "Text."}\n{"id": "y", "body": "no reference"}\n')
    bad.with_name("ok.jsonl").write_text('{"id": "x", "body": "Text.", "reference": "Text."}\n')
    result = run_eval("--data", str(bad))
    assert result.returncode == 2 and "bad.jsonl:2" in result.stderr
    unknown = run_eval("--data", str(bad.with_name("ok.jsonl")), "--summarizer", "nope")
    missing = run_eval("--data", str(tmp_path / "missing.jsonl"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    assert unknown.returncode == 2 and "unknown summarizer" in unknown.stderr


def test_lead_at_same_settings_textrank_row_and_reader_counts() -> None:
    from headlines.evaluation.textrank import TextRankSummarizer

    example = SummaryExample(id="a", body=BODY + " Scroll down for video . He said it was fine.", reference=REFERENCE)
    result = evaluate_summaries([example], LeadSummarizer(), sentences=2, max_words=20, baselines=[TextRankSummarizer()])
    rows = {r["name"]: r for r in result["rows"]}
    assert rows["Lead, same settings"]["words"] <= 20 and rows["TextRank (sumy)"]["words"] <= 20
    assert result["rouge2_gain_over_lead"] == 0.0  # the system here is the lead itself
    assert set(rows["TextRank (sumy)"]["problems"]) == {
        "furniture",
        "cut",
        "unresolved_opening",
        "quote_without_speaker",
        "near_duplicate",
    }
