"""`headlines eval summaries`: ROUGE for the configured summarizer beside Lead-1, Lead-3 and the oracle."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from headlines.cli.options import fail

PROBLEM_COLUMNS = {
    "furniture": "furn.",
    "cut": "cut",
    "unresolved_opening": "unres.",
    "quote_without_speaker": "quote",
    "near_duplicate": "dup",
}


def summaries(
    data: Annotated[Path, typer.Option("--data", help="JSON Lines with id, title, body, reference", dir_okay=False)],
    sentences: Annotated[int, typer.Option(min=1, max=20, help="Sentences per summary, for every row")] = 3,
    max_words: Annotated[
        int | None, typer.Option(min=5, help="Word budget applied equally to the system and Lead-N (default: none)")
    ] = None,
    summarizer: Annotated[str | None, typer.Option(help="lead or model (default: HEADLINES_SUMMARIZER)")] = None,
    textrank: Annotated[bool, typer.Option("--textrank", help="Add a TextRank row (sumy, a dev dependency)")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print the result as JSON")] = False,
) -> None:
    """ROUGE-1/2/Lsum F1 (stemmed) and mean words: system, Lead-1, Lead-3 and the greedy ROUGE-2 oracle."""
    from headlines.container import build_summarizer
    from headlines.evaluation.summaries import NO_WORD_CAP, EvaluationError, evaluate_summaries, load_examples
    from headlines.summarize.base import Summarizer

    try:
        examples = load_examples(data)
    except EvaluationError as exc:
        fail(str(exc))
    from headlines.encoder import ModelError

    try:
        system = build_summarizer(name=summarizer)
        baselines: list[Summarizer] = []
        if textrank:
            from headlines.evaluation.textrank import TextRankSummarizer

            baselines.append(TextRankSummarizer())
    except (ModelError, ValueError) as exc:
        fail(str(exc))
    result = evaluate_summaries(examples, system, sentences=sentences, max_words=max_words or NO_WORD_CAP, baselines=baselines)
    if json_out:
        print(json.dumps(result, indent=1))
        return
    budget = f"{max_words} words" if max_words else "no word cap"
    table = Table(title=f"Summaries: {data.name}, {result['data_size']} articles, {sentences} sentences, {budget}")
    for column in ("summarizer", "ROUGE-1", "ROUGE-2", "ROUGE-Lsum", "words", "sentences", *PROBLEM_COLUMNS.values()):
        table.add_column(column, justify="left" if column == "summarizer" else "right")
    for row in result["rows"]:
        table.add_row(
            row["name"],
            f"{row['rouge1']:.2f}",
            f"{row['rouge2']:.2f}",
            f"{row['rougeLsum']:.2f}",
            f"{row['words']:.1f}",
            f"{row['sentences']:.2f}",
            *(str(row["problems"][key]) for key in PROBLEM_COLUMNS),
        )
    console = Console()
    console.print(table)
    console.print(
        f"vs Lead at the same settings: ROUGE-1 {result['rouge1_gain_over_lead']:+.2f}, ROUGE-2 {result['rouge2_gain_over_lead']:+.2f}. "  # noqa: E501
        "Reader problems: summaries with furniture/captions, a cut sentence (no final punctuation or an ellipsis cut), "
        "an unresolved opening pronoun or connective, a quote without its speaker, a near-duplicate pair."
    )
    gap = result["lead3_to_oracle_gap_closed"]
    console.print(
        f"ROUGE-2 vs Lead-3: {result['rouge2_gain_over_lead3']:+.2f} points; length x{result['length_vs_lead3']} of Lead-3; "
        f"Lead-3-to-oracle gap closed: {gap * 100:.1f}%"
        if gap is not None
        else "gap: n/a"
    )
