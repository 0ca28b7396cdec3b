"""`headlines ask QUESTION`: answer from the stored stories, with sources (or --json, one object per question)."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from headlines.cli.options import country_option

if TYPE_CHECKING:
    from headlines.ask.engine import Answer

err_console = Console(stderr=True)


def answer_record(answer: Answer) -> dict[str, Any]:
    """The --json contract: {"question", "answer", "sources": [{"id", "title", "url", "published", "score"}]}."""
    return {
        "question": answer.question,
        "answer": answer.answer,
        "sources": [
            {
                "id": s.id,
                "title": s.title,
                "url": s.url,
                "published": s.published.isoformat() if s.published else None,
                "score": s.score,
            }
            for s in answer.sources
        ],
    }


def _render(console: Console, answer: Answer) -> None:
    from rich.markup import escape

    console.print(f"[bold]Q:[/] {escape(answer.question)}")
    console.print(escape(answer.answer) if answer.found else f"[yellow]{escape(answer.answer)}[/]")
    if answer.sources:
        console.print("[dim]Sources[/]" if answer.found else "[dim]Closest stories[/]")
    for n, s in enumerate(answer.sources, start=1):
        when = f" ({s.published:%Y-%m-%d})" if s.published else ""
        link = f" {s.url}" if s.url else ""
        console.print(f"  [{n}] {escape(s.title)}{when}{escape(link)} [dim]score {s.score:.2f}, id {escape(s.id)}[/]")
    console.print()


def _questions(question: str | None, input: Path | None) -> list[str]:
    if input is None:
        if not question or not question.strip():
            err_console.print("[red]error:[/] give a QUESTION, or --input FILE with one question per line")
            raise typer.Exit(2)
        return [question]
    if question:
        err_console.print("[red]error:[/] give either a QUESTION or --input FILE, not both")
        raise typer.Exit(2)
    try:
        text = sys.stdin.read() if str(input) == "-" else input.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        err_console.print(f"[red]error:[/] cannot read {input}: {exc.strerror}")
        raise typer.Exit(2) from exc
    return [line.strip() for line in text.splitlines() if line.strip()]


def ask(
    question: Annotated[str | None, typer.Argument(help="The question, e.g. 'What did Macron say about Russia?'")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object per question")] = False,
    top_k: Annotated[int, typer.Option("--top-k", min=1, max=50, help="Sources to return")] = 5,
    country: Annotated[str | None, typer.Option(help="Only stories tagged with this country (code or name)")] = None,
    since: Annotated[str | None, typer.Option(help="Only stories newer than this: 24h, 7d, 2w or a date (2025-12-01)")] = None,
    input: Annotated[
        Path | None, typer.Option("--input", "-i", help="Answer each line of this file ('-' for stdin)", dir_okay=False)
    ] = None,
) -> None:
    """Answer questions from the stored stories, quoting them and citing each source.

    Below a relevance threshold the answer says nothing relevant was found and lists the closest
    stories. The question may name a country ("in France") and a time ("this week"); --country and
    --since override those. Exit status 1 if any question could not be answered (bad input).
    """
    from headlines.ask.engine import AskError
    from headlines.ask.query import QueryError, parse_since
    from headlines.container import build_answer_engine

    questions = _questions(question, input)
    code = country_option(country)
    since_dt: datetime | None = None
    if since:
        try:
            since_dt = parse_since(since)
        except QueryError as exc:
            err_console.print(f"[red]error:[/] {exc}")
            raise typer.Exit(2) from exc

    engine = build_answer_engine()
    if engine.store.count() > len(engine.embeddings.ids()):
        err_console.print("Embedding stories stored without vectors (once)...")
        engine.backfill()
    console = Console()
    failed = 0
    for q in questions:
        try:
            answer = engine.ask(q, top_k=top_k, country=code, since=since_dt)
        except AskError as exc:
            failed += 1
            if json_out:
                _emit(sys.stdout, {"question": q, "error": str(exc)})
            else:
                err_console.print(f"[red]error:[/] {exc}")
            continue
        if json_out:
            _emit(sys.stdout, answer_record(answer))
        else:
            _render(console, answer)
    if not json_out and engine.store.count() == 0:
        err_console.print("No stories stored yet. Try `headlines demo --db FILE` or `headlines ingest`.")
    engine.save_snapshot_if_due()
    engine.store.close()
    raise typer.Exit(1 if failed else 0)


def _emit(out: IO[str], record: dict[str, Any]) -> None:
    out.write(json.dumps(record, ensure_ascii=False) + "\n")
    out.flush()
