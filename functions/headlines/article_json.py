"""Turning raw bytes from outside (an S3 object, a webhook body) into an Article, or a precise refusal.

Shared by the S3 and HTTP ingest paths so both accept and refuse the same things.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from headlines.errors import BadInputError
from headlines.models import Article

MAX_INGEST_BYTES = 5 * 1024 * 1024
"""Largest object or request body read as one article."""

HTML_TYPES = ("text/html", "application/xhtml+xml")


class IngestError(BadInputError):
    """The input is not an article. `fields` maps each bad field to its problem (empty when the whole input is bad)."""

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}


def field_errors(exc: ValidationError) -> dict[str, str]:
    """`{"body": "Field required", "url": "Input should be a valid URL, ..."}` from a pydantic error."""
    out: dict[str, str] = {}
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ())) or "(input)"
        out.setdefault(loc, str(err.get("msg", "invalid")))
    return out


def article_from_json(data: Any) -> Article:
    """Validate one decoded JSON value as an Article."""
    if not isinstance(data, dict):
        raise IngestError(f"expected a JSON object with at least a `body` field, got {type(data).__name__}")
    try:
        return Article.model_validate(data)
    except ValidationError as exc:
        fields = field_errors(exc)
        detail = "; ".join(f"{k}: {v}" for k, v in fields.items())
        raise IngestError(f"not a valid article: {detail}", fields) from exc


def decode_text(raw: bytes, *, max_bytes: int = MAX_INGEST_BYTES) -> str:
    """UTF-8 text, or an IngestError saying why the bytes are not text."""
    if len(raw) > max_bytes:
        raise IngestError(f"too large: {len(raw)} bytes, the limit is {max_bytes} bytes")
    if not raw.strip():
        raise IngestError("empty: the object has no content")
    if b"\x00" in raw[:8192]:
        raise IngestError("binary content (NUL bytes): upload an article as JSON or an HTML page")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(f"not UTF-8 text (byte {exc.start}): upload an article as JSON or an HTML page") from exc


def parse_article(raw: bytes, *, name: str = "", content_type: str = "", max_bytes: int = MAX_INGEST_BYTES) -> Article:
    """An article from an uploaded object: JSON (`.json`, application/json) or an HTML page (`.html`, text/html).

    JSON is tried when the name or type says JSON, or the text starts with `{`; HTML otherwise.
    """
    text = decode_text(raw, max_bytes=max_bytes)
    kind = content_type.split(";")[0].strip().lower()
    lowered = name.lower()
    looks_json = kind == "application/json" or lowered.endswith(".json") or text.lstrip().startswith("{")
    if looks_json:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise IngestError(f"broken JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
        return article_from_json(data)
    looks_html = kind in HTML_TYPES or lowered.endswith((".html", ".htm")) or "<html" in text[:2048].lower()
    if not looks_html:
        raise IngestError(f"unsupported content ({kind or 'unknown type'}): upload an article as .json or an .html page")
    from headlines.fetch import FetchError, extract_article

    try:
        return extract_article(text)
    except FetchError as exc:
        raise IngestError(str(exc)) from exc
