"""`headlines eval retrieval`: the command. It builds the product's encoder, summarizer and tagger (this is an entry
point) and hands them to `headlines.evaluation.retrieval.run`, which does the measuring."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from headlines.cli.options import fail
from headlines.evaluation.retrieval import RARE_SHARE, SHARES_RARE, EvaluationError, run


def retrieval_command(
    data: Annotated[Path, typer.Option("--data", help="JSON Lines of articles with titles", dir_okay=False)],
    limit: Annotated[int, typer.Option(min=10, help="Stories stored (seeded sample)")] = 1000,
    questions: Annotated[int, typer.Option(min=1, help="Titles asked as questions")] = 200,
    seed: Annotated[int, typer.Option(help="Sampling seed")] = 0,
    offset: Annotated[int, typer.Option(min=0, help="Start of the sample window in the shuffled file")] = 0,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of a table")] = False,
) -> None:
    """Store FILE's stories with titles hidden, ask each title, print Recall@1/5 and MRR next to BM25."""
    from rich.console import Console
    from rich.table import Table

    from headlines.container import build_summarizer, build_tagger, get_encoder

    err = Console(stderr=True)
    try:
        report = run(
            data,
            limit=limit,
            questions=questions,
            seed=seed,
            offset=offset,
            encoder=get_encoder(),
            summarizer=build_summarizer(),
            tagger=build_tagger(),
            progress=lambda m: err.print(m),
        )
    except EvaluationError as exc:
        fail(str(exc))
    if json_out:
        print(json.dumps(report))
        return
    table = Table(
        title=f"Retrieval: {report['questions']} titles over {report['stories']} stories of {data.name} "
        f"(seed {seed}, offset {offset})"
    )
    for col in ("system", "Recall@1", "Recall@5", "MRR"):
        table.add_column(col, justify="left" if col == "system" else "right")
    for r in report["results"]:
        table.add_row(r["system"], f"{r['recall_at_1']:.3f}", f"{r['recall_at_5']:.3f}", f"{r['mrr']:.3f}")
    Console().print(table)
    limit = max(1, int(RARE_SHARE * report["stories"]))
    split = Table(title=f"By whether the title shares a rare word (held by at most {limit} stories) with its story")
    for col in ("shares one", "system", "Recall@1", "Recall@5", "MRR"):
        split.add_column(col, justify="left" if col in ("shares one", "system") else "right")
    for part in report["breakdown"]:
        label = f"{'yes' if part['subset'] == SHARES_RARE else 'no'} ({part['questions']} titles)"
        for n, r in enumerate(part["results"]):
            split.add_row(
                label if n == 0 else "", r["system"], f"{r['recall_at_1']:.3f}", f"{r['recall_at_5']:.3f}", f"{r['mrr']:.3f}"
            )
    Console().print(split)
