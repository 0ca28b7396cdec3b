"""`headlines subscriptions list|add|remove --channel C`: a channel's countries and keywords, as `/headlines subscribe`."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

from headlines.cli.options import fail

subscriptions_app = typer.Typer(
    help="List, add or remove a Slack channel's subscriptions (countries about/mentions, keywords).",
    no_args_is_help=True,
)
err_console = Console(stderr=True)

ChannelOpt = Annotated[str, typer.Option("--channel", help="Slack channel id, e.g. C0123ABCD")]
CountryOpt = Annotated[list[str] | None, typer.Option("--country", "-c", help="Country code or name, or `all` (repeatable)")]
KeywordOpt = Annotated[list[str] | None, typer.Option("--keyword", "-k", help="Keyword or phrase (repeatable)")]
ModeOpt = Annotated[
    str | None,
    typer.Option(
        help="about: stories about the country / keyword in headline or summary; mentions: any mention. "
        "Default: about for countries, mentions for keywords; when removing, both"
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the channel's subscriptions as JSON")]


def _subscriptions(countries: list[str] | None, keywords: list[str] | None, mode: str | None, *, removing: bool) -> list:
    from headlines.slack.commands import CommandError, parse_subscriptions

    if mode not in (None, "about", "mentions"):
        fail("--mode is `about` or `mentions`")
    for keyword in keywords or []:
        if '"' in keyword or "\u201c" in keyword or "\u201d" in keyword:
            fail(f"a keyword cannot hold a quote: {keyword[:40]!r}")
    text = " ".join([mode or "", ", ".join(countries or []), *(f'"{k}"' for k in keywords or [])])
    try:
        return parse_subscriptions(text, removing=removing)
    except CommandError as exc:
        fail(str(exc))


def _show(channel: str, subs: list, json_out: bool) -> None:
    from headlines.slack.commands import describe_subscriptions

    if json_out:
        print(json.dumps({"channel": channel, "subscriptions": [s.model_dump() for s in subs]}, ensure_ascii=False))
    else:
        print(f"{channel} gets: {describe_subscriptions(subs)}")


def _store():  # type: ignore[no-untyped-def]
    from headlines.container import build_store

    return build_store()


@subscriptions_app.command("list")
def list_(channel: ChannelOpt, json_out: JsonOpt = False) -> None:
    """What the channel gets."""
    store = _store()
    try:
        _show(channel, store.channel_subscriptions(channel), json_out)
    finally:
        store.close()


@subscriptions_app.command("add")
def add(
    channel: ChannelOpt, country: CountryOpt = None, keyword: KeywordOpt = None, mode: ModeOpt = None, json_out: JsonOpt = False
) -> None:
    """Subscribe the channel, e.g. `--country FR --keyword "wind power"`."""
    subs = _subscriptions(country, keyword, mode, removing=False)
    store = _store()
    try:
        _show(channel, store.add_subscriptions(channel, subs), json_out)
    finally:
        store.close()


@subscriptions_app.command("remove")
def remove(
    channel: ChannelOpt, country: CountryOpt = None, keyword: KeywordOpt = None, mode: ModeOpt = None, json_out: JsonOpt = False
) -> None:
    """Unsubscribe the channel from these (`--country all` removes everything)."""
    subs = _subscriptions(country, keyword, mode, removing=True)
    store = _store()
    try:
        _show(channel, store.remove_subscriptions(channel, subs), json_out)
    finally:
        store.close()
