"""Console delivery: how a channel would see the story, printed with rich."""

from __future__ import annotations

from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from headlines.models import Story


def render_story(story: Story) -> Panel:
    body = Text()
    body.append(story.summary or "(no summary)")
    if story.countries:
        body.append("\n\n")
        for i, tag in enumerate(story.countries):
            if i:
                body.append("  ")
            body.append(f"{tag.flag} {tag.name}", style="bold" if tag.primary else "dim")
            if tag.primary:
                body.append(" (primary)", style="dim")
    meta = [m for m in (story.article.source, story.article.published and story.article.published.isoformat()) if m]
    if story.article.url:
        meta.append(str(story.article.url))
    subtitle = " \u00b7 ".join(meta) if meta else None
    return Panel(body, title=Text(story.headline, style="bold"), title_align="left", subtitle=subtitle, subtitle_align="left")


class ConsoleDelivery:
    """Prints each story; used when no Slack token is configured."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console()

    def deliver(self, story: Story) -> None:
        self.console.print(render_story(story))
