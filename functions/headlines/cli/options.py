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
        from headlines.sanitize import for_terminal

        err_console.print(f"[red]error:[/] unknown country {for_terminal(repr(value))}; use an ISO code such as FR")
        raise typer.Exit(2)
    return code
