"""`headlines eval ...`: evaluation commands, each printing a table (or --json) with its baselines."""

from __future__ import annotations

import typer

eval_app = typer.Typer(help="Measure quality against baselines computed in the same run.", no_args_is_help=True)

from headlines.cli.eval_summaries import summaries  # noqa: E402

eval_app.command("summaries")(summaries)

from headlines.cli.eval_retrieval import retrieval_command  # noqa: E402

eval_app.command("retrieval")(retrieval_command)

from headlines.cli.eval_countries import countries_command  # noqa: E402

eval_app.command("countries")(countries_command)

from headlines.cli.eval_events import events_command  # noqa: E402

eval_app.command("events")(events_command)

from headlines.cli.eval_answers import answers_command  # noqa: E402

eval_app.command("answers")(answers_command)
