"""`headlines`: process, ingest, latest and demo on embedded defaults; more commands plug in as groups."""

from __future__ import annotations

import logging
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Annotated, Any, BinaryIO

import typer
from rich.console import Console

from headlines.cli.jsonl import JsonLinesWriter, ParsedLine, run_batch
from headlines.cli.options import country_option, fail

app = typer.Typer(
    help="Headlines: summarize news, tag countries, store and deliver stories.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err_console = Console(stderr=True)

from headlines.cli.evaluate import eval_app  # noqa: E402

app.add_typer(eval_app, name="eval")
from headlines.cli.model import model_app  # noqa: E402

app.add_typer(model_app, name="model")

from headlines.cli.subscriptions import subscriptions_app  # noqa: E402

app.add_typer(subscriptions_app, name="subscriptions")

from headlines.cli.serve import serve  # noqa: E402

app.command()(serve)

from headlines.cli.ask import ask as _ask  # noqa: E402

app.command("ask")(_ask)

InputOpt = Annotated[
    Path | None, typer.Option("--input", "-i", help="JSON Lines file of articles (default: stdin)", dir_okay=False)
]


def _open_input(stack: ExitStack, path: Path | None) -> BinaryIO:
    """The input as bytes: lines are split on `\\n` and decoded one by one (headlines.cli.jsonl)."""
    if path is None:
        return sys.stdin.buffer
    try:
        return stack.enter_context(path.open("rb"))
    except OSError as exc:
        from headlines.sanitize import for_terminal

        fail(f"cannot read {for_terminal(str(path))}: {exc.strerror}")


def _progress(stack: ExitStack, path: Path | None) -> Any:
    """A progress bar on stderr; rich hides it when stderr is not a terminal."""
    from rich.progress import Progress

    total = None
    if path is not None and path.is_file() and path.stat().st_size < 512 * 1024 * 1024:
        with path.open("rb") as fh:
            total = sum(1 for _ in fh)
    progress = stack.enter_context(Progress(console=err_console, transient=True))
    return progress, progress.add_task("processing", total=total)


def _emit(out: IO[str], record: dict[str, Any]) -> None:
    """One strict UTF-8 JSON line on a text stream's underlying bytes (see headlines.cli.jsonl)."""
    JsonLinesWriter(out.buffer if hasattr(out, "buffer") else out).write(record)  # type: ignore[arg-type]


@app.command()
def process(
    input: InputOpt = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write JSON Lines here (default: stdout)")] = None,
    sentences: Annotated[int | None, typer.Option(min=1, max=20, help="Summary sentences (default 2)")] = None,
    max_words: Annotated[int | None, typer.Option(min=5, max=1000, help="Summary words (default 60)")] = None,
    explain: Annotated[
        bool, typer.Option("--explain", help="Add `evidence`: per country tag, the strings in the article behind it")
    ] = False,
) -> None:
    """Summarize and tag articles: JSON Lines in, JSON Lines out, one output line per input line.

    Each output line is the input object plus `headline`, `summary` and `countries`; a bad line
    gives {"line": N, "id": ..., "error": "..."} and processing goes on. Exit status 1 if any line failed.
    """
    from headlines.container import build_pipeline

    pipeline = build_pipeline(sentences=sentences, max_words=max_words)

    def handle(parsed: ParsedLine) -> dict[str, Any]:
        assert parsed.article is not None
        story = pipeline.analyze(parsed.article)
        record = dict(parsed.raw or {})
        record["headline"] = story.headline
        record["summary"] = story.summary
        record["countries"] = [c.model_dump() for c in story.countries]
        if explain:
            evidence = pipeline.explain_countries(parsed.article)
            record["evidence"] = {c.code: evidence.get(c.code, []) for c in story.countries}
        return record

    with ExitStack() as stack:
        source = _open_input(stack, input)
        out = stack.enter_context(output.open("wb")) if output else sys.stdout.buffer
        progress, task = _progress(stack, input)
        failed = run_batch(source, JsonLinesWriter(out), handle, on_line=lambda: progress.advance(task))
    raise typer.Exit(1 if failed else 0)


@app.command()
def ingest(input: InputOpt = None) -> None:
    """Process articles and keep them in the store (re-ingesting an article updates it).

    Prints one JSON line per input line: {"line", "id", "status"} or an error record. Exit 1 if any failed.
    """
    from headlines.container import build_pipeline, build_store

    store = build_store()
    pipeline = build_pipeline(store=store)

    def handle(parsed: ParsedLine) -> dict[str, Any]:
        assert parsed.article is not None
        existed = store.exists(parsed.article)  # same article, or the same id (which names one story)
        story = pipeline.process(parsed.article)
        return {"line": parsed.number, "id": story.id, "status": "updated" if existed else "stored"}

    with ExitStack() as stack:
        source = _open_input(stack, input)
        progress, task = _progress(stack, input)
        failed = run_batch(source, JsonLinesWriter(sys.stdout.buffer), handle, on_line=lambda: progress.advance(task))
    store.close()
    raise typer.Exit(1 if failed else 0)


@app.command()
def latest(
    country: Annotated[str | None, typer.Option(help="Country code or name, e.g. FR or France")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 10,
    json_out: Annotated[bool, typer.Option("--json", help="JSON Lines instead of rendered stories")] = False,
) -> None:
    """Show the newest stored stories, optionally only those tagged with a country."""
    from headlines.container import build_store
    from headlines.delivery.console import ConsoleDelivery

    code = country_option(country)
    store = build_store()
    stories = store.latest(country=code, limit=limit)
    delivery = ConsoleDelivery()
    for story in stories:
        if json_out:
            _emit(sys.stdout, story.model_dump(mode="json"))
        else:
            delivery.deliver(story)
    if not stories and not json_out:
        err_console.print("No stories stored yet. Try `headlines demo` or `headlines ingest`.")
    store.close()


@app.command()
def demo(
    db: Annotated[Path | None, typer.Option(help="Keep the demo store here (default: a fresh temporary file)")] = None,
) -> None:
    """Ingest the bundled sample articles into a fresh embedded store and show each story as a channel would."""
    from headlines.container import build_pipeline
    from headlines.delivery.console import ConsoleDelivery
    from headlines.samples import load_samples
    from headlines.store.sqlite import SQLiteStore

    console = Console()
    with tempfile.TemporaryDirectory(prefix="headlines-demo-") as tmp:
        store = SQLiteStore(db or Path(tmp) / "demo.db")
        pipeline = build_pipeline(store=store, delivery=ConsoleDelivery(console))
        articles = load_samples()
        console.rule(f"Headlines demo: {len(articles)} sample articles")
        console.print(f"[dim]pipeline: {pipeline.describe()}[/]")
        pipeline.process_many(articles)
        console.rule(f"{store.count()} stories stored in {store.path}")
        store.close()


def main() -> None:
    """The `headlines` command. A bad `HEADLINES_*` setting ends it with one line naming the variable."""
    from pydantic import ValidationError

    from headlines.settings import Settings, get_settings

    try:
        get_settings()
    except ValidationError as exc:
        for error in exc.errors():
            field = Settings.model_fields.get(str(error["loc"][0])) if error["loc"] else None
            alias = field.validation_alias if field is not None else None
            name = alias if isinstance(alias, str) else "HEADLINES_" + "_".join(map(str, error["loc"])).upper()
            print(f"error: {name}: {error['msg']}", file=sys.stderr)
        raise SystemExit(2) from None
    from headlines.errors import cli_exit

    try:
        app()
    except Exception as exc:  # the CLI's one error mapper: a line saying what to change (and the traceback for a bug)
        line, code = cli_exit(exc, logging.getLogger("headlines.cli"))
        print(line, file=sys.stderr)
        raise SystemExit(code) from None


if __name__ == "__main__":
    main()
