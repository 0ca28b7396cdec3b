"""`headlines ask QUESTION`: answer from the stored stories, with sources (or --json, one object per question)."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from headlines.cli.options import country_option, fail

if TYPE_CHECKING:
    from headlines.ask.engine import Answer

err_console = Console(stderr=True)


def answer_record(answer: Answer) -> dict[str, Any]:
    """The --json contract: {"question", "answer", "answered", "sources": [{"id", "title", "url", "published", "score"}]},
    plus "as_of" when the question was asked as of a date."""
    record: dict[str, Any] = {
        "question": answer.question,
        "answer": answer.answer,
        "answered": answer.found,
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
    if answer.as_of is not None:
        record["as_of"] = answer.as_of.date().isoformat()
    return record


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


@dataclass
class Asked:
    """One question to answer: its text and "now" (None: the real now), or why its input line is unusable."""

    question: str
    as_of: datetime | None = None
    error: str | None = None


def parse_as_of(value: str) -> datetime:
    """`--as-of` / JSON `as_of`: a date (the end of that day, UTC) or an ISO date-time."""
    text = value.strip()
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"cannot read the date {value!r}; use YYYY-MM-DD such as 2022-06-16") from None
    if len(text) <= 10:
        when += timedelta(days=1, microseconds=-1)
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def parse_line(line: str, default_as_of: datetime | None) -> Asked:
    """A plain-text question, or a JSON object {"question": ..., "as_of": "YYYY-MM-DD"} (as_of optional)."""
    text = line.strip()
    if not text.startswith("{"):
        return Asked(text, default_as_of)
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        return Asked(text, error=f'not a JSON object ({exc.msg}); give a plain question or {{"question": ...}}')
    question = raw.get("question") if isinstance(raw, dict) else None
    if not isinstance(question, str) or not question.strip():
        return Asked(text, error='a JSON line needs a "question" string')
    as_of = raw.get("as_of")
    if as_of is None:
        return Asked(question, default_as_of)
    try:
        return Asked(question, parse_as_of(str(as_of)))
    except ValueError as exc:
        return Asked(question, error=str(exc))


def _questions(question: str | None, input: Path | None, as_of: datetime | None = None) -> list[Asked]:
    if input is None:
        if not question or not question.strip():
            fail("give a QUESTION, or --input FILE with one question per line")
        return [Asked(question, as_of)]
    if question:
        fail("give either a QUESTION or --input FILE, not both")
    try:
        text = sys.stdin.read() if str(input) == "-" else input.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        fail(f"cannot read {input}: {exc.strerror}")
    return [parse_line(line, as_of) for line in text.splitlines() if line.strip()]


def ask(
    question: Annotated[str | None, typer.Argument(help="The question, e.g. 'What did Macron say about Russia?'")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object per question")] = False,
    top_k: Annotated[int, typer.Option("--top-k", min=1, max=50, help="Sources to return")] = 5,
    country: Annotated[str | None, typer.Option(help="Only stories tagged with this country (code or name)")] = None,
    since: Annotated[str | None, typer.Option(help="Only stories newer than this: 24h, 7d, 2w or a date (2025-12-01)")] = None,
    input: Annotated[
        Path | None,
        typer.Option(
            "--input",
            "-i",
            dir_okay=False,
            help='Answer each line of this file (\'-\' for stdin): a question, or {"question": ..., "as_of": "YYYY-MM-DD"}',
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Ask as of this date (YYYY-MM-DD): 'this week' counts back from it, later stories ignored"),
    ] = None,
) -> None:
    """Answer questions from the stored stories, quoting them and citing each source.

    Below a relevance threshold the answer says nothing relevant was found and lists the closest
    stories. The question may name a country ("in France") and a time ("this week"); --country and
    --since override those. --as-of (or "as_of" on a JSON input line) sets "now".
    Exit status 1 if any question could not be answered (bad input).
    """
    from headlines.ask.engine import AskError
    from headlines.ask.query import QueryError, parse_since
    from headlines.container import build_answer_engine

    as_of_dt: datetime | None = None
    if as_of:
        try:
            as_of_dt = parse_as_of(as_of)
        except ValueError as exc:
            fail(f"--as-of: {exc}")
    questions = _questions(question, input, as_of_dt)
    code = country_option(country)
    since_dt: datetime | None = None
    if since:
        try:
            since_dt = parse_since(since, now=as_of_dt)
        except QueryError as exc:
            fail(str(exc))

    engine = build_answer_engine()
    if engine.store.count() > len(engine.embeddings.ids()):
        err_console.print("Embedding stories stored without vectors (once)...")
        engine.backfill()
    console = Console()
    failed = 0
    for q in questions:
        try:
            if q.error:
                raise AskError(q.error)
            answer = engine.ask(q.question, top_k=top_k, country=code, since=since_dt, now=q.as_of)
        except AskError as exc:
            failed += 1
            if json_out:
                _emit(sys.stdout, {"question": q.question, "error": str(exc)})
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
