"""Reading JSON Lines of articles: every line yields an article or an error record, never a crash."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from headlines.models import Article, describe_validation_error

MAX_LINE_BYTES = 2 * 1024 * 1024
"""A line longer than this (2 MiB) is rejected before it is parsed."""


@dataclass(frozen=True)
class ParsedLine:
    """One input line: its 1-based number, the raw object when it parsed, and the article or the error."""

    number: int
    raw: dict[str, Any] | None
    article: Article | None
    error: str | None

    def error_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {"line": self.number}
        if self.raw is not None and self.raw.get("id") is not None:
            record["id"] = self.raw["id"]
        record["error"] = self.error
        return record


def parse_line(number: int, line: str) -> ParsedLine:
    size = len(line.encode("utf-8", "surrogatepass"))
    if size > MAX_LINE_BYTES:
        return ParsedLine(number, None, None, f"line is {size} bytes; the limit is {MAX_LINE_BYTES}")
    try:
        raw = json.loads(line)
    except json.JSONDecodeError as exc:
        return ParsedLine(number, None, None, f"not JSON: {exc.msg} at column {exc.colno}")
    if not isinstance(raw, dict):
        return ParsedLine(number, None, None, f"expected a JSON object, got {type(raw).__name__}")
    try:
        article = Article.model_validate(raw)
    except ValidationError as exc:
        return ParsedLine(number, raw, None, describe_validation_error(exc))
    return ParsedLine(number, raw, article, None)


def read_lines(lines: Iterable[str]) -> Iterator[ParsedLine]:
    """Parse each non-blank line; blank lines are skipped but still counted."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        yield parse_line(number, line.rstrip("\n"))
