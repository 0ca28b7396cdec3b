"""`headlines`: process, ingest, latest and demo on embedded defaults; more commands plug in as groups."""

from __future__ import annotations

import json
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from rich.console import Console

from headlines.cli.jsonl import ParsedLine, read_lines
from headlines.cli.options import country_option

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

from headlines.cli.serve import serve  # noqa: E402

app.command()(serve)

from headlines.cli.ask import ask as _ask  # noqa: E402

app.command("ask")(_ask)

InputOpt = Annotated[
    Path | None, typer.Option("--input", "-i", help="JSON Lines file of articles (default: stdin)", dir_okay=False)
]


def _open_input(stack: ExitStack, path: Path | None) -> IO[str]:
    if path is None:
        return sys.stdin
    try:
        return stack.enter_context(path.open(encoding="utf-8", errors="replace"))
    except OSError as exc:
        err_console.print(f"[red]error:[/] cannot read {path}: {exc.strerror}")
        raise typer.Exit(2) from exc


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
    out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
    out.flush()


@app.command()
def process(
    input: InputOpt = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write JSON Lines here (default: stdout)")] = None,
    sentences: Annotated[int | None, typer.Option(min=1, max=20, help="Summary sentences (default 2)")] = None,
    max_words: Annotated[int | None, typer.Option(min=5, max=1000, help="Summary words (default 60)")] = None,
) -> None:
    """Summarize and tag articles: JSON Lines in, JSON Lines out, one output line per input line.

    Each output line is the input object plus `headline`, `summary` and `countries`; a bad line
    gives {"line": N, "id": ..., "error": "..."} and processing goes on. Exit status 1 if any line failed.
    """
    from headlines.container import build_pipeline

    pipeline = build_pipeline(sentences=sentences, max_words=max_words)
    failed = 0
    with ExitStack() as stack:
        source = _open_input(stack, input)
        out = stack.enter_context(output.open("w", encoding="utf-8")) if output else sys.stdout
        progress, task = _progress(stack, input)
        for parsed in read_lines(source):
            progress.advance(task)
            if parsed.article is None:
                failed += 1
                _emit(out, parsed.error_record())
                continue
            try:
                story = pipeline.analyze(parsed.article)
            except Exception as exc:  # one bad article must not stop the batch; it is reported in place
                failed += 1
                _emit(out, {**_id_of(parsed), "error": f"processing failed: {exc}"})
                continue
            record = dict(parsed.raw or {})
            record["headline"] = story.headline
            record["summary"] = story.summary
            record["countries"] = [c.model_dump() for c in story.countries]
            _emit(out, record)
    raise typer.Exit(1 if failed else 0)


def _id_of(parsed: ParsedLine) -> dict[str, Any]:
    return parsed.error_record() | {"error": None}


@app.command()
def ingest(input: InputOpt = None) -> None:
    """Process articles and keep them in the store (re-ingesting an article updates it).

    Prints one JSON line per input line: {"line", "id", "status"} or an error record. Exit 1 if any failed.
    """
    from headlines.container import build_pipeline, build_store

    store = build_store()
    pipeline = build_pipeline(store=store)
    failed = 0
    with ExitStack() as stack:
        source = _open_input(stack, input)
        progress, task = _progress(stack, input)
        for parsed in read_lines(source):
            progress.advance(task)
            if parsed.article is None:
                failed += 1
                _emit(sys.stdout, parsed.error_record())
                continue
            existed = store.exists(parsed.article)  # same article, or the same id (which names one story)
            story = pipeline.process(parsed.article)
            _emit(sys.stdout, {"line": parsed.number, "id": story.id, "status": "updated" if existed else "stored"})
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
    app()


if __name__ == "__main__":
    main()
