"""A batch never aborts: every hostile line of `process`/`ingest` gives exactly one strict UTF-8 JSON line.

Run as a user would (a real subprocess, bytes on stdin, a strict UTF-8 locale), so what is checked is what
a downstream parser receives.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

FAST = {"HEADLINES_SUMMARIZER": "lead", "HEADLINES_TAGGER": "exact", "HEADLINES_EMBED": "false"}
STRICT_LOCALE = {"LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "PYTHONUTF8": "0", "PYTHONIOENCODING": ""}
GOOD = b'{"id": "ok", "title": "Paris talks", "body": "France and Germany met in Paris on Monday. They agreed."}'


def run(*args: str, stdin: bytes = b"", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    full = {k: v for k, v in os.environ.items() if k != "PYTHONIOENCODING"} | FAST | STRICT_LOCALE | (env or {})
    full = {k: v for k, v in full.items() if v != ""}
    return subprocess.run([sys.executable, "-m", "headlines", *args], input=stdin, env=full, capture_output=True, timeout=120)


def _reject(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name}")


def strict_lines(stdout: bytes) -> list[dict[str, Any]]:
    """Parse stdout as a strict consumer would: UTF-8 (no lone surrogates), RFC 8259 JSON, one object per `\\n` line."""
    text = stdout.decode("utf-8")  # strict: raises on invalid UTF-8
    assert text.endswith("\n")
    records = [json.loads(line, parse_constant=_reject) for line in text.split("\n")[:-1]]
    assert len(text.splitlines()) == len(records)  # nothing a line-splitter would break (U+2028, NEL, ...)
    assert all(isinstance(r, dict) for r in records)
    return records


HOSTILE = [
    b"[" * 100_000 + b"]" * 100_000,  # nested 100,000 deep
    b'{"body": "x", "n": ' + b"7" * 5000 + b"}",  # a 5,000-digit integer
    b'{"id": "\\ud800evil", "body": "text"}',  # an escaped lone surrogate in id
    b'{"id": "inner", "body": "text", "meta": {"k": "\\udfff"}}',  # ... anywhere in the object
    b'{"id": "big", "body": "x y z", "score": 1e400}',  # overflows a float
    b'{"id": "nan", "body": "x y z", "score": NaN}',
    b'{"id": "inf", "body": "x y z", "score": -Infinity}',
    b'{"id": "y1", "body": "x y z", "published": "0001-01-01T00:00:00+01:00"}',
    b'{"id": "y9999", "body": "x y z", "published": "9999-12-31T23:30:00-05:00"}',
    b'{"id": "ls", "body": "line\\u2028separator and next\\u0085line"}',
    GOOD,
]


def test_process_writes_one_strict_json_line_per_hostile_line() -> None:
    result = run("process", stdin=b"\n".join(HOSTILE) + b"\n")
    assert result.returncode == 1, result.stderr.decode()
    assert b"Traceback" not in result.stderr
    records = strict_lines(result.stdout)
    assert [r.get("line") for r in records[:-2]] == list(range(1, len(HOSTILE) - 1))
    errors = records[:-2]
    assert all(set(r) <= {"line", "id", "error"} and r["error"] for r in errors), errors
    assert "deep" in errors[0]["error"]
    assert "digits" in errors[1]["error"] or "integer" in errors[1]["error"]
    assert errors[2]["id"] == "\ufffdevil" and "surrogate" in errors[2]["error"]
    assert errors[3]["id"] == "inner" and "surrogate" in errors[3]["error"]
    assert "out of range" in errors[4]["error"] and "NaN" in errors[5]["error"] and "Infinity" in errors[6]["error"]
    assert "published" in errors[7]["error"] and "published" in errors[8]["error"]
    separator, good = records[-2], records[-1]
    assert separator["id"] == "ls" and "\u2028" in separator["body"] and "summary" in separator
    assert good["id"] == "ok" and good["summary"]


def test_ingest_keeps_going_past_hostile_lines(tmp_path: Path) -> None:
    result = run("ingest", stdin=b"\n".join(HOSTILE) + b"\n", env={"HEADLINES_DB": str(tmp_path / "h.db")})
    assert result.returncode == 1, result.stderr.decode()
    assert b"Traceback" not in result.stderr
    records = strict_lines(result.stdout)
    assert len(records) == len(HOSTILE)
    assert [r.get("status") for r in records[-2:]] == ["stored", "stored"]
    assert all("error" in r for r in records[:-2])


def test_invalid_utf8_on_stdin_under_a_strict_locale_is_one_error_record() -> None:
    stdin = b'{"id": "latin1", "body": "caf\xe9 cr\xe8me"}\n' + GOOD + b"\n"
    result = run("process", stdin=stdin)
    assert result.returncode == 1, result.stderr.decode()
    bad, good = strict_lines(result.stdout)
    assert bad["line"] == 1 and "UTF-8" in bad["error"]
    assert good["id"] == "ok"


def test_input_file_splits_on_newline_only_accepts_a_bom_and_reports_invalid_utf8(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(
        b"\xef\xbb\xbf"
        + GOOD
        + b"\n"  # a UTF-8 BOM on the first line
        + b'{"id": "cr",\r"body": "a bare CR is JSON whitespace"}\r\n'  # and CRLF line ends are fine
        + b'{"id": "bad", "body": "not \xff utf-8"}\n'
        + b'{"id": "last", "body": "still read"}'  # no final newline
    )
    result = run("process", "--input", str(path))
    assert result.returncode == 1, result.stderr.decode()
    records = strict_lines(result.stdout)
    assert [r.get("id") for r in records] == ["ok", "cr", "bad", "last"]
    assert "summary" in records[0] and "summary" in records[1] and "summary" in records[3]
    assert records[2]["line"] == 3 and "UTF-8" in records[2]["error"] and "body" not in records[2]


def test_output_file_is_strict_utf8_too(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = run("process", "--output", str(out), stdin=HOSTILE[2] + b"\n" + GOOD + b"\n")
    assert result.returncode == 1 and result.stdout == b""
    assert [r.get("id") for r in strict_lines(out.read_bytes())] == ["\ufffdevil", "ok"]


def test_a_summarizer_error_in_ingest_is_an_error_record_and_the_rest_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inject a failure into the summarizer for one article; ingest reports it in place and stores the others."""
    from typer.testing import CliRunner

    from headlines.cli.app import app
    from headlines.summarize.lead import LeadSummarizer

    real = LeadSummarizer.summarize

    def failing(self: LeadSummarizer, article: Any, **kw: Any) -> list[str]:
        if "EXPLODE" in article.body:
            raise RuntimeError("summarizer crashed")
        return real(self, article, **kw)

    monkeypatch.setattr(LeadSummarizer, "summarize", failing)
    for key, value in FAST.items():
        monkeypatch.setenv(key, value)
    lines = [
        b'{"id": "a", "body": "Alpha story text here."}',
        b'{"id": "b", "body": "EXPLODE now."}',
        b'{"id": "c", "body": "Gamma story text here."}',
    ]
    result = CliRunner().invoke(app, ["ingest"], input=b"\n".join(lines) + b"\n")
    assert result.exit_code == 1, result.output
    records = strict_lines(result.stdout_bytes)
    assert records[0] == {"line": 1, "id": "a", "status": "stored"}
    assert records[1] == {"line": 2, "id": "b", "error": "processing failed: summarizer crashed"}
    assert records[2] == {"line": 3, "id": "c", "status": "stored"}


@pytest.mark.parametrize(
    "line",
    HOSTILE[:-2],
    ids=["deep", "bigint", "surrogate-id", "surrogate-nested", "1e400", "NaN", "Infinity", "year1", "year9999"],
)
def test_each_hostile_line_is_one_error_record_and_the_batch_goes_on(line: bytes) -> None:
    result = run("process", stdin=line + b"\n" + GOOD + b"\n")
    assert result.returncode == 1 and b"Traceback" not in result.stderr, result.stderr.decode()[-2000:]
    bad, good = strict_lines(result.stdout)
    assert bad["line"] == 1 and bad["error"] and "summary" not in bad
    assert good["id"] == "ok" and good["summary"]
