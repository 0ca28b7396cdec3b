"""Console delivery: how a channel would see the story, printed with rich."""

from __future__ import annotations

from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from headlines.models import Story
from headlines.sanitize import clean_line, clean_unicode


def render_story(story: Story) -> Panel:
    """The story as a panel. Every field is untrusted: controls are removed and it is added as plain `Text`
    (never parsed as markup), so `[/bold]`, `[link=...]` or an escape sequence shows as text, if at all."""
    body = Text()
    body.append(clean_unicode(story.summary or "(no summary)"))
    if story.countries:
        body.append("\n\n")
        for i, tag in enumerate(story.countries):
            if i:
                body.append("  ")
            body.append(clean_unicode(f"{tag.flag} {tag.name}"), style="bold" if tag.primary else "dim")
            if tag.primary:
                body.append(" (primary)", style="dim")
    meta = [m for m in (story.article.source, story.article.published and story.article.published.isoformat()) if m]
    if story.article.url:
        meta.append(str(story.article.url))
    subtitle = Text(clean_line(" \u00b7 ".join(meta))) if meta else None
    title = Text(clean_line(story.headline), style="bold")
    return Panel(body, title=title, title_align="left", subtitle=subtitle, subtitle_align="left")


class ConsoleDelivery:
    """Prints each story; used when no Slack token is configured."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console()

    def deliver(self, story: Story) -> None:
        self.console.print(render_story(story))
