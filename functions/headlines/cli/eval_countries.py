"""`headlines eval countries`: the gazetteer tagger against exact-name and spaCy baselines, in one run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from headlines.models import Article, CountryTag

_COLUMNS = ("micro_f1", "precision", "recall", "macro_f1", "micro_f1_no_us")


def countries_command(
    data: Annotated[Path, typer.Option("--data", help="JSON Lines of stories with `places` (Reuters format)", dir_okay=False)],
    places_map: Annotated[Path, typer.Option("--places-map", help="JSON object: place code -> ISO alpha-2", dir_okay=False)],
    source_country: Annotated[
        str | None, typer.Option("--source-country", help="Set this home country (ISO code) on every article")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Evaluate only the first N stories")] = None,
    split: Annotated[
        str, typer.Option("--split", help="all, or the deterministic half by id: tune or holdout")
    ] = "all",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table")] = False,
) -> None:
    """Micro/macro F1 of primary country tags against gold places, for the system and two baselines."""
    from headlines.countries.exact import ExactNameTagger
    from headlines.countries.gazetteer import GazetteerTagger
    from headlines.countries.spacy_ner import SpacyModelError, SpacyNERTagger
    from headlines.evaluation.countries import CountryEvalError, evaluate, load_dataset, load_places_map

    err = Console(stderr=True)
    if split not in ("all", "tune", "holdout"):
        err.print(f"[red]error:[/] --split must be all, tune or holdout, not {split!r}")
        raise typer.Exit(2)
    try:
        dataset = load_dataset(
            data,
            load_places_map(places_map),
            source_country=source_country.upper() if source_country else None,
            limit=limit,
            split=split,
        )
        spacy_tagger = SpacyNERTagger()
    except (CountryEvalError, SpacyModelError) as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from exc
    if not dataset.examples:
        err.print(f"[red]error:[/] no story in {data} has a place the map knows")
        raise typer.Exit(2)

    gazetteer, exact = GazetteerTagger(), ExactNameTagger()

    def per_article(tagger: GazetteerTagger | ExactNameTagger) -> object:
        def run(articles: list[Article]) -> list[list[CountryTag]]:
            return [tagger.tag(a) for a in articles]

        return run

    rows = evaluate(
        dataset,
        {"gazetteer": per_article(gazetteer), "exact-name": per_article(exact), "spacy-gpe-norp": spacy_tagger.tag_many},  # type: ignore[dict-item]
    )
    meta = {
        "data": str(data),
        "stories": len(dataset.examples),
        "source_country": source_country.upper() if source_country else None,
        "split": split,
        "dropped_places": dict(dataset.dropped_codes.most_common()),
        "skipped_lines": dataset.skipped_lines,
    }
    if as_json:
        typer.echo(json.dumps({"meta": meta, "systems": rows}, indent=2))
        return
    table = Table(title=f"Country tags: {len(dataset.examples)} stories, source_country={meta['source_country']}, split={split}")
    table.add_column("system", no_wrap=True)
    for col in _COLUMNS:
        table.add_column(col, justify="right")
    for name, row in rows.items():
        table.add_row(name, *(f"{row[c]:.3f}" for c in _COLUMNS))
    console = Console(width=max(Console().width, 110))
    console.print(table)
    macro_n = next(iter(rows.values()))["macro_countries"]
    dropped = sum(dataset.dropped_codes.values())
    console.print(
        f"macro-F1 over {macro_n} countries with >= 5 gold stories; {dropped} gold places without a map entry dropped"
    )
