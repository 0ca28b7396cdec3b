"""Polling RSS/Atom feeds: each new entry becomes a queued article.

A feed that cannot be fetched or parsed is skipped with a warning and tried again at the next
poll; one bad feed never stops the others. Entries whose text is too short (a teaser) are fetched
from their link through the SSRF-guarded fetcher.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from headlines.fetch import Fetcher, FetchError, fetch_article
from headlines.job_queue import Job, JobQueue
from headlines.models import Article, url_key
from headlines.store.base import Store
from headlines.text import clean_text, word_count

logger = logging.getLogger(__name__)

MIN_ENTRY_WORDS = 60
"""Entries shorter than this carry a teaser, not the story: the linked page is fetched instead."""


@dataclass
class PollReport:
    """Per poll: how many entries were queued, and which feeds or entries failed and why."""

    queued: int = 0
    known: int = 0
    failed_feeds: dict[str, str] = field(default_factory=dict)
    failed_entries: dict[str, str] = field(default_factory=dict)


def _entry_text(entry: Any) -> str:
    contents = entry.get("content") or []
    html = next((c.get("value", "") for c in contents if c.get("value")), "") or entry.get("summary", "")
    if not html:
        return ""
    if "<" in html:
        import lxml.html

        with contextlib.suppress(ValueError, lxml.etree.ParserError):
            html = lxml.html.fromstring(html).text_content()
    return clean_text(html)


def _published(entry: Any) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return datetime(*parsed[:6]).replace(tzinfo=UTC) if parsed else None


class FeedPoller:
    """Reads each feed with feedparser (fetched through `Fetcher`) and queues one job per entry.

    Entries whose link is already a stored story are skipped before any fetch (`store`), so the model
    does not re-run on every poll; anything queued twice anyway is deduplicated by the store and posted once.
    """

    def __init__(
        self,
        feeds: list[str],
        queue: JobQueue,
        *,
        fetcher: Fetcher | None = None,
        store: Store | None = None,
        max_entries: int = 50,
    ) -> None:
        self.feeds = feeds
        self.max_entries = max_entries
        self.queue = queue
        self.fetcher = fetcher or Fetcher()
        self.store = store

    def poll(self) -> PollReport:
        report = PollReport()
        for url in self.feeds:
            try:
                entries = self._entries(url)
            except FetchError as exc:
                logger.warning("skipping feed %s until the next poll: %s", url, exc)
                report.failed_feeds[url] = str(exc)
                continue
            except Exception as exc:  # a parser bug or a feed no one foresaw: isolate it, keep polling the rest
                logger.warning("skipping feed %s until the next poll: %r", url, exc, exc_info=True)
                report.failed_feeds[url] = f"{type(exc).__name__}: {exc}"
                continue
            for entry in entries[: self.max_entries]:
                link = str(entry.get("link") or entry.get("id") or "?")
                try:
                    if self._known(entry.get("link")):
                        report.known += 1
                        continue
                    article = self._article(entry)
                    self.queue.enqueue(Job(kind="process_article", id=f"feed:{article.dedup_key}", article=article))
                    report.queued += 1
                except (FetchError, ValidationError) as exc:
                    logger.warning("skipping entry %s of feed %s: %s", link, url, exc)
                    report.failed_entries[link] = str(exc)
                except Exception as exc:  # one entry must never stop the poll; it is tried again next time
                    logger.warning("skipping entry %s of feed %s: %r", link, url, exc, exc_info=True)
                    report.failed_entries[link] = f"{type(exc).__name__}: {exc}"
        return report

    def _known(self, link: str | None) -> bool:
        if self.store is None or not link:
            return False
        return self.store.find(url_key(link)) is not None

    def _entries(self, url: str) -> list[Any]:
        import feedparser

        page = self.fetcher.fetch(url)
        parsed = feedparser.parse(page.content, response_headers={"content-type": page.content_type})
        if parsed.bozo and not parsed.entries:
            raise FetchError(f"not a readable RSS/Atom feed: {parsed.get('bozo_exception')}")
        return list(parsed.entries)

    def _article(self, entry: Any) -> Article:
        link = entry.get("link")
        text = _entry_text(entry)
        if word_count(text) < MIN_ENTRY_WORDS and link:
            fetched = fetch_article(link, self.fetcher)
            return fetched.model_copy(
                update={"title": entry.get("title") or fetched.title, "published": _published(entry) or fetched.published}
            )
        return Article(
            url=link or None,
            title=entry.get("title") or None,
            body=text or entry.get("title") or "",
            published=_published(entry),
        )
