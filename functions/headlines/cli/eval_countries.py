"""`headlines eval countries`: the gazetteer tagger against exact-name and spaCy baselines, in one run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from headlines.cli.options import fail
from headlines.models import Article, CountryTag

_COLUMNS = ("micro_f1", "precision", "recall", "macro_f1", "micro_f1_no_us")


def countries_command(
    data: Annotated[
        Path,
        typer.Option("--data", help="JSON Lines of stories with `places` (Reuters) or a `gold` ISO code list", dir_okay=False),
    ],
    places_map: Annotated[
        Path | None,
        typer.Option("--places-map", help="JSON object: place code -> ISO alpha-2 (Reuters `places` only)", dir_okay=False),
    ] = None,
    source_country: Annotated[
        str | None, typer.Option("--source-country", help="Set this home country (ISO code) on every article")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Evaluate only the first N stories")] = None,
    split: Annotated[str, typer.Option("--split", help="all, or the deterministic half by id: tune or holdout")] = "all",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table")] = False,
) -> None:
    """Country tags against gold, for the system and two baselines.

    Reuters `places`: micro/macro F1 of primary tags. Stories with a `gold` list of every mentioned country:
    all-tags micro/macro F1 and primary precision, per corpus.
    """
    from headlines.countries.exact import ExactNameTagger
    from headlines.countries.gazetteer import GazetteerTagger
    from headlines.countries.spacy_ner import SpacyModelError, SpacyNERTagger
    from headlines.evaluation.countries import CountryEvalError, evaluate, evaluate_mentions, load_dataset, load_places_map

    if split not in ("all", "tune", "holdout"):
        fail(f"--split must be all, tune or holdout, not {split!r}")
    try:
        dataset = load_dataset(
            data,
            load_places_map(places_map) if places_map is not None else None,
            source_country=source_country.upper() if source_country else None,
            limit=limit,
            split=split,
        )
        spacy_tagger = SpacyNERTagger()
    except (CountryEvalError, SpacyModelError) as exc:
        fail(str(exc))
    if not dataset.examples:
        fail(f"no story in {data} has a gold country (or a place the map knows)")

    gazetteer, exact = GazetteerTagger(), ExactNameTagger()

    def per_article(tagger: GazetteerTagger | ExactNameTagger) -> object:
        def run(articles: list[Article]) -> list[list[CountryTag]]:
            return [tagger.tag(a) for a in articles]

        return run

    systems = {"gazetteer": per_article(gazetteer), "exact-name": per_article(exact), "spacy-gpe-norp": spacy_tagger.tag_many}
    if dataset.shape == "mentions":  # places beyond country names: spaCy finds them, the lexicon names their country
        systems["spacy-gpe-norp+lexicon"] = spacy_tagger.with_lookup("lexicon").tag_many
    meta = {
        "data": str(data),
        "stories": len(dataset.examples),
        "source_country": source_country.upper() if source_country else None,
        "split": split,
        "dropped_places": dict(dataset.dropped_codes.most_common()),
        "skipped_lines": dataset.skipped_lines,
        "shape": dataset.shape,
    }
    if dataset.shape == "mentions":
        _print_mentions(evaluate_mentions(dataset, systems), meta, as_json)  # type: ignore[arg-type]
        return
    rows = evaluate(dataset, systems)  # type: ignore[arg-type]
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
    console.print(f"macro-F1 over {macro_n} countries with >= 5 gold stories; {dropped} gold places without a map entry dropped")


_MENTION_COLUMNS = {
    "stories": "stories",
    "micro_f1": "micro-F1",
    "precision": "P",
    "recall": "R",
    "macro_f1": "macro-F1",
    "primary_precision": "primary P",
    "primary_tags": "primary tags",
    "untagged": "untagged",
}


def _print_mentions(groups: dict[str, dict[str, dict[str, float | int]]], meta: dict[str, object], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps({"meta": meta, "corpora": groups}, indent=2))
        return
    table = Table(
        title=f"Country tags (all tags vs every mentioned country; primary precision): split={meta['split']}, "
        f"source_country={meta['source_country']}"
    )
    table.add_column("corpus", no_wrap=True)
    table.add_column("system", no_wrap=True)
    for label in _MENTION_COLUMNS.values():
        table.add_column(label, justify="right")
    for group, rows in groups.items():
        for name, row in rows.items():
            table.add_row(group, name, *(f"{row[c]:.3f}" if isinstance(row[c], float) else str(row[c]) for c in _MENTION_COLUMNS))
    Console(width=max(Console().width, 150)).print(table)
