"""Option parsing shared by several commands, with the same error and exit status everywhere."""

from __future__ import annotations

import typer
from rich.console import Console

err_console = Console(stderr=True)


def country_option(value: str | None) -> str | None:
    """`--country FR` or `--country France` -> 'FR'; an unknown country exits 2 with a message."""
    if not value:
        return None
    from headlines.countries.data import parse_country

    code = parse_country(value)
    if code is None:
        err_console.print(f"[red]error:[/] unknown country {value!r}; use an ISO code such as FR")
        raise typer.Exit(2)
    return code
