"""Option parsing shared by several commands, with the same error and exit status everywhere."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console

err_console = Console(stderr=True)


def fail(message: str, code: int = 2) -> NoReturn:
    """End the command with one "error: ..." line on stderr: exit 2 when the user must change what they typed or
    set (the status `errors.cli_exit` gives bad input), 1 when the work itself failed."""
    err_console.print(f"[red]error:[/] {message}")
    raise typer.Exit(code)


def country_option(value: str | None) -> str | None:
    """`--country FR` or `--country France` -> 'FR'; an unknown country exits 2 with a message."""
    if not value:
        return None
    from headlines.countries.data import parse_country

    code = parse_country(value)
    if code is None:
        from headlines.sanitize import for_terminal

        fail(f"unknown country {for_terminal(repr(value))}; use an ISO code such as FR")
    return code
