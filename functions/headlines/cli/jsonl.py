"""JSON Lines in and out: every input line yields exactly one strict UTF-8 JSON line out, never a crash.

Input is read as bytes and split on `\\n` only (a bare CR is JSON whitespace, a trailing CR of CRLF too);
a UTF-8 BOM on the first line is accepted; a line that is not UTF-8, not strict JSON (`NaN`, `Infinity`,
a number that overflows a float, an integer over Python's digit limit, nesting too deep) or that holds a
lone surrogate gives an error record for that line. Output is RFC 8259 JSON encoded as strict UTF-8:
no `NaN`/`Infinity`, lone surrogates replaced by U+FFFD, and U+2028/U+2029/NEL escaped so no line
splitter sees two lines where there is one.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, cast

from pydantic import ValidationError

from headlines.errors import BadInputError
from headlines.models import Article, describe_validation_error

MAX_LINE_BYTES = 2 * 1024 * 1024
"""A line longer than this (2 MiB) is rejected before it is parsed (and never held whole in memory)."""

_BOM = b"\xef\xbb\xbf"
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LINE_BREAKS = {0x2028: "\\u2028", 0x2029: "\\u2029", 0x85: "\\u0085"}
_JSON_WS = " \t\r\n"


class LineError(BadInputError, ValueError):
    """Why one input line cannot be read; becomes that line's error record."""


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


def _reject_constant(name: str) -> Any:
    raise LineError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise LineError(f"number {text[:40]} is out of range")
    return value


def loads_strict(text: str) -> Any:
    """RFC 8259 JSON only; raises `LineError` with a one-line reason for anything else."""
    try:
        value = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except LineError:
        raise
    except json.JSONDecodeError as exc:
        raise LineError(f"not JSON: {exc.msg} at column {exc.colno}") from None
    except RecursionError:
        raise LineError("not JSON: nested too deep") from None
    except ValueError as exc:  # an integer over sys.get_int_max_str_digits()
        raise LineError(f"not JSON: {str(exc).split(';')[0]}") from None
    return value


def _surrogate_path(value: Any) -> str | None:
    """The path of the first string (or key) holding a lone surrogate, or None. Iterative: input may be deep."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return path
        elif isinstance(item, dict):
            for key, sub in item.items():
                if _SURROGATE.search(key):
                    return path or "(key)"
                stack.append((f"{path}.{key}" if path else key, sub))
        elif isinstance(item, list):
            stack.extend((f"{path}[{i}]", sub) for i, sub in enumerate(item))
    return None


def parse_line(number: int, line: str | bytes) -> ParsedLine:
    """One line (bytes as read, or text) -> the article, or the reason it is not one."""
    if isinstance(line, bytes):
        if number == 1 and line.startswith(_BOM):
            line = line[len(_BOM) :]
        size = len(line)
        if size > MAX_LINE_BYTES:
            return ParsedLine(number, None, None, f"line is {size} bytes; the limit is {MAX_LINE_BYTES}")
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            reason = f"not UTF-8: invalid byte 0x{line[exc.start]:02x} at byte {exc.start + 1}"
            return ParsedLine(number, _best_effort_object(line), None, reason)
    else:
        text = line.removeprefix("\ufeff") if number == 1 else line
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > MAX_LINE_BYTES:
            return ParsedLine(number, None, None, f"line is {size} bytes; the limit is {MAX_LINE_BYTES}")
    try:
        raw = loads_strict(text)
    except LineError as exc:
        return ParsedLine(number, None, None, str(exc))
    if not isinstance(raw, dict):
        return ParsedLine(number, None, None, f"expected a JSON object, got {type(raw).__name__}")
    if _ESCAPED_SURROGATE.search(text) and (where := _surrogate_path(raw)) is not None:
        return ParsedLine(number, raw, None, f"{where or '(key)'}: invalid Unicode: a lone surrogate")
    try:
        article = Article.model_validate(raw)
    except ValidationError as exc:
        return ParsedLine(number, raw, None, describe_validation_error(exc))
    except (RecursionError, ValueError, OverflowError) as exc:
        return ParsedLine(number, raw, None, f"invalid article: {exc}")
    return ParsedLine(number, raw, article, None)


def _best_effort_object(line: bytes) -> dict[str, Any] | None:
    """The line read with bad bytes replaced, only so its error record can name the `id`; never processed."""
    try:
        raw = loads_strict(line.decode("utf-8", "replace"))
    except LineError:
        return None
    return raw if isinstance(raw, dict) else None


def iter_byte_lines(stream: BinaryIO) -> Iterator[tuple[int, bytes | int]]:
    """(number, line) split on `\\n` only, without the newline. A line over the limit is not held in memory:
    it is skipped and yields its size in bytes instead."""
    number = 0
    while True:
        line = stream.readline(MAX_LINE_BYTES + 2)
        if not line:
            return
        number += 1
        if line.endswith(b"\n"):
            yield number, line[:-1]
            continue
        if len(line) <= MAX_LINE_BYTES + 1:  # the last line, without a final newline
            yield number, line
            return
        size = len(line)
        while line and not line.endswith(b"\n"):
            line = stream.readline(1024 * 1024)
            size += len(line)
        yield number, size - (1 if line.endswith(b"\n") else 0)


def read_lines(lines: BinaryIO | Iterable[str] | Iterable[bytes]) -> Iterator[ParsedLine]:
    """Parse each non-blank line (a binary stream, or an iterable of lines); blank lines are skipped but counted."""
    numbered: Iterable[tuple[int, str | bytes | int]]
    if hasattr(lines, "readline") and not hasattr(lines, "encoding"):
        numbered = iter_byte_lines(cast(BinaryIO, lines))
    else:
        numbered = (
            (n, line.rstrip("\n") if isinstance(line, str) else line.rstrip(b"\n"))
            for n, line in enumerate(cast(Iterable[str | bytes], lines), start=1)
        )
    for number, line in numbered:
        if isinstance(line, int):
            yield ParsedLine(number, None, None, f"line is {line} bytes; the limit is {MAX_LINE_BYTES}")
            continue
        if number == 1:
            line = line.removeprefix(_BOM) if isinstance(line, bytes) else line.removeprefix("\ufeff")
        if not (line.strip(_JSON_WS.encode()) if isinstance(line, bytes) else line.strip(_JSON_WS)):
            continue
        yield parse_line(number, line)


def dumps_line(record: Any) -> bytes:
    """One JSON Lines line as strict UTF-8 bytes; raises ValueError for what strict JSON cannot hold (NaN, too deep)."""
    try:
        text = json.dumps(record, ensure_ascii=False, allow_nan=False, default=str)
    except RecursionError:
        raise ValueError("nested too deep to write") from None
    text = _SURROGATE.sub("\ufffd", text).translate(_LINE_BREAKS)
    return (text + "\n").encode("utf-8")


class JsonLinesWriter:
    """Writes one line per record to a binary stream, flushed; a record that cannot be written as strict JSON
    is replaced by an error record for its line, so the output keeps one line per input line."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out

    def write(self, record: dict[str, Any], *, line: int | None = None) -> bool:
        """True when the record itself was written; False when an error record stood in for it."""
        try:
            data, ok = dumps_line(record), True
        except (ValueError, TypeError) as exc:
            fallback: dict[str, Any] = {"line": line} if line is not None else {}
            if isinstance(record.get("id"), str):
                fallback["id"] = record["id"]
            fallback["error"] = f"output cannot be written as JSON: {exc}"
            data, ok = dumps_line(fallback), False
        self.out.write(data)
        self.out.flush()
        return ok


def run_batch(
    source: BinaryIO | Iterable[str] | Iterable[bytes],
    writer: JsonLinesWriter,
    handle: Callable[[ParsedLine], dict[str, Any]],
    *,
    on_line: Callable[[], None] | None = None,
) -> int:
    """The per-line loop of `process` and `ingest`: each line gives `handle`'s record or an error record, and
    nothing one line does (bad input, a failing model or store) stops the others. Returns how many failed."""
    failed = 0
    for parsed in read_lines(source):
        if on_line is not None:
            on_line()
        if parsed.article is None:
            failed += 1
            writer.write(parsed.error_record(), line=parsed.number)
            continue
        try:
            record = handle(parsed)
        except Exception as exc:  # one bad article must not stop the batch; it is reported in place
            failed += 1
            writer.write(parsed.error_record() | {"error": f"processing failed: {exc}"}, line=parsed.number)
            continue
        if not writer.write(record, line=parsed.number) or "error" in record:
            failed += 1
    return failed
