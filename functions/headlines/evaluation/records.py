"""One reader for the evaluation data files (JSON Lines, `.gz` read as gzip).

Every evaluation loader reads the same way: a file that cannot be opened or a line that is not JSON is an
error naming the file and the line, because an evaluation over a silently shortened file reports the wrong
figure. Each loader passes its own error class (all `BadInputError`s) so its callers catch what they did.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from headlines.errors import BadInputError


def _open(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def json_lines(path: Path, error: type[BadInputError]) -> Iterator[tuple[int, Any]]:
    """(line number, parsed value) for each non-blank line; raises `error` naming `path:line` on bad JSON."""
    try:
        fh = _open(path)
    except OSError as exc:
        raise error(f"cannot read {path}: {exc.strerror or exc}") from exc
    with fh:
        try:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise error(f"{path}:{number}: not JSON ({exc.msg})") from exc
                yield number, value
        except (OSError, EOFError, UnicodeDecodeError) as exc:  # a truncated gzip or a binary file mid-way
            raise error(f"cannot read {path}: {exc}") from exc
