"""`headlines eval events`: same-event pairwise precision/recall/F1 and false merges, system vs the headline rule."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from headlines.cli.options import fail


def events_command(
    data: Annotated[
        Path, typer.Option("--data", help="Pairs file from benchmarks/build_event_pairs.py (JSON Lines)", dir_okay=False)
    ],
    window_days: Annotated[float | None, typer.Option(min=0.1, max=30, help="Event window (default: the setting)")] = None,
    vectors_cache: Annotated[
        Path | None,
        typer.Option("--vectors", help="Cache of the story vectors (.npz): read when it holds every article, else written"),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the result as JSON")] = False,
) -> None:
    """Pairwise same-event scores per split (tune, check, all) for event clustering and the digest's headline rule."""
    from dataclasses import replace

    from headlines.container import build_tagger, get_encoder
    from headlines.encoder import ModelError
    from headlines.evaluation.events import EventDataError, evaluate_events, load_pairs, stories_of, story_vectors
    from headlines.events.rule import EventRule
    from headlines.settings import get_settings

    try:
        articles, pairs = load_pairs(data)
    except EventDataError as exc:
        fail(str(exc))
    settings = get_settings()
    rule = replace(EventRule(), window_days=window_days or settings.event_window_days)
    stories = stories_of(articles, build_tagger(settings))
    try:
        vectors = _cached(vectors_cache, stories) if vectors_cache else None
        if vectors is None:
            vectors = story_vectors(stories, get_encoder(settings))
            if vectors_cache:
                import numpy as np

                np.savez(vectors_cache, **vectors)  # type: ignore[arg-type]
    except ModelError as exc:
        fail(str(exc))
    result = evaluate_events(articles, pairs, vectors, stories, rule)
    if json_out:
        print(json.dumps(result, indent=1))
        return
    table = Table(
        title=f"Same-event pairs: {data.name}, {result['data_pairs']} pairs, {result['articles']} articles, "
        f"window {rule.window_days:g} days"
    )
    for column in ("split", "system", "precision", "recall", "F1", "false merges: older", "same week", "pairs +/older/week"):
        table.add_column(column, justify="left" if column in ("split", "system") else "right")

    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value * 100:.1f}%"

    for row in result["rows"]:
        table.add_row(
            row["split"],
            row["system"],
            f"{row['precision']:.3f}",
            f"{row['recall']:.3f}",
            f"{row['f1']:.3f}",
            pct(row["false_merge_older"]),
            pct(row["false_merge_same_week"]),
            f"{row['positives']}/{row['n_older']}/{row['n_same_week']}",
        )
    Console().print(table)


def _cached(path: Path, stories: dict) -> dict | None:  # type: ignore[type-arg]
    """Vectors from an earlier run of the same encoder (`--vectors`), or None when any article is missing."""
    import numpy as np

    if not path.exists():
        return None
    with np.load(path) as saved:
        if not set(stories) <= set(saved.files):
            return None
        return {k: saved[k] for k in stories}
