"""`headlines eval answers`: the command. It builds the product's encoder and tagger (this is an entry point) and
hands them to `headlines.evaluation.answers.run`, which does the measuring."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from headlines.cli.options import fail
from headlines.evaluation.answers import run
from headlines.evaluation.retrieval import EvaluationError


def answers_command(
    questions: Annotated[
        Path, typer.Option("--questions", help="JSON Lines: question, answer, gold_ids, question_date, qid", dir_okay=False)
    ],
    corpus: Annotated[
        Path, typer.Option("--corpus", help="JSON Lines (.gz ok) of articles: id, title, body, url, published", dir_okay=False)
    ],
    unanswerable: Annotated[
        Path | None, typer.Option("--unanswerable", help="JSON Lines of questions no stored story answers", dir_okay=False)
    ] = None,
    store: Annotated[
        Path | None,
        typer.Option(
            "--store", help="Keep the scratch store here and reuse it on the next run (default: a temporary one)", dir_okay=False
        ),
    ] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="Ask only the first N answerable questions")] = None,
    outcomes: Annotated[
        Path | None,
        typer.Option("--outcomes", help="Write one JSON line per question asked (answer, gold rank, ...)", dir_okay=False),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables")] = False,
) -> None:
    """Ask real quiz questions as of their dates over their corpus; Recall@1/5, MRR, answer contains gold,
    refusals, next to BM25, on the tuning half, the check half and all."""
    from rich.console import Console
    from rich.table import Table

    from headlines.container import build_tagger, get_encoder

    err = Console(stderr=True)
    try:
        report, done = run(
            questions,
            corpus,
            unanswerable=unanswerable,
            store=store,
            limit=limit,
            encoder=get_encoder(),
            tagger=build_tagger(),
            progress=lambda m: err.print(m),
        )
    except EvaluationError as exc:
        fail(str(exc))
    if outcomes is not None:
        outcomes.write_text("".join(json.dumps(o.record(), ensure_ascii=False) + "\n" for o in done), encoding="utf-8")
    if json_out:
        print(json.dumps(report))
        return
    refusals = report["unanswerable"]
    table = Table(
        title=f"Answers: {report['answerable']} questions over {report['stories']} stories "
        f"({report['encoder']}); unanswerable refused {refusals['refused']}/{refusals['questions']} "
        f"(tune {refusals['tune_refused']}/{refusals['tune_questions']}, "
        f"check {refusals['check_refused']}/{refusals['check_questions']}); "
        f"median answer {report['median_answer_ms']} ms"
    )
    for col in ("half", "system", "questions", "Recall@1", "Recall@5", "MRR", "contains gold", "refused"):
        table.add_column(col, justify="left" if col in ("half", "system") else "right")
    for half in report["halves"]:
        for n, r in enumerate(half["results"]):
            fmt = lambda v: "" if v is None else f"{v:.3f}"  # noqa: E731
            table.add_row(
                half["half"] if n == 0 else "",
                r["system"],
                str(r["questions"]),
                fmt(r["recall_at_1"]),
                fmt(r["recall_at_5"]),
                fmt(r["mrr"]),
                fmt(r["contains_answer"]),
                fmt(r["refused_answerable"]),
            )
    Console().print(table)
