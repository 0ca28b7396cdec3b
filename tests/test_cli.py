"""The `headlines` CLI as a user runs it: a real subprocess, JSON Lines on stdout, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

FAST = {"HEADLINES_SUMMARIZER": "lead", "HEADLINES_TAGGER": "exact"}


def run_cli(*args: str, stdin: str | bytes = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    data = stdin.encode() if isinstance(stdin, str) else stdin
    proc = subprocess.run([sys.executable, "-m", "headlines", *args], input=data, env=full_env, capture_output=True, timeout=300)
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode(), proc.stderr.decode())


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def test_acceptance_bad_lines_give_error_records_and_exit_1() -> None:
    result = run_cli("process", stdin='not json\n{"title":"x"}\n', env=FAST)
    assert result.returncode == 1
    records = jsonl(result.stdout)
    assert len(records) == 2
    assert records[0]["line"] == 1 and "not JSON" in records[0]["error"]
    assert records[1]["line"] == 2 and "body" in records[1]["error"]


def test_process_keeps_order_fields_and_reports_each_bad_line(tmp_path: Path) -> None:
    good = (FIXTURES / "articles.jsonl").read_text().splitlines()
    lines = [
        good[0],
        '{"id": "empty", "body": "   "}',
        "[1, 2]",
        '{"id": "big", "body": "' + "x" * (2 * 1024 * 1024) + '"}',
        good[1],
    ]
    result = run_cli("process", stdin="\n".join(lines) + "\n", env=FAST)
    assert result.returncode == 1
    records = jsonl(result.stdout)
    assert [r.get("id") for r in records] == ["a1", "empty", None, None, "a2"]
    assert records[1] == {"line": 2, "id": "empty", "error": records[1]["error"]} and "body" in records[1]["error"]
    assert "JSON object" in records[2]["error"]
    assert "limit" in records[3]["error"]
    first = records[0]
    assert first["url"] == "https://example.com/news/energy-pact" and first["source"] == "Example Wire"
    assert first["summary"] and isinstance(first["countries"], list)
    assert {c["code"] for c in first["countries"]} >= {"DE", "FR"}
    assert set(first["countries"][0]) == {"code", "name", "flag", "score", "primary"}


def test_process_all_good_exits_0_and_honours_length_flags(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = run_cli("process", "--input", str(FIXTURES / "articles.jsonl"), "--output", str(out), "--sentences", "1", env=FAST)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    records = jsonl(out.read_text())
    assert len(records) == 2
    assert records[0]["summary"] == "Germany and France signed an energy agreement on Monday."
    result = run_cli("process", "--max-words", "5", "--input", str(FIXTURES / "articles.jsonl"), env=FAST)
    assert all(len(r["summary"].split()) <= 5 for r in jsonl(result.stdout))


def test_binary_input_is_an_error_record_not_a_crash() -> None:
    result = run_cli("process", stdin=b"\x00\xff\xfe garbage \x89PNG\n", env=FAST)
    assert result.returncode == 1
    (record,) = jsonl(result.stdout)
    assert record["line"] == 1 and record["error"]


def test_missing_input_file_is_a_clear_error(tmp_path: Path) -> None:
    result = run_cli("process", "--input", str(tmp_path / "nope.jsonl"), env=FAST)
    assert result.returncode == 2
    assert result.stdout == ""


def test_ingest_then_latest_dedups_and_filters(tmp_path: Path) -> None:
    src = str(FIXTURES / "articles.jsonl")
    first = jsonl(run_cli("ingest", "--input", src, env=FAST).stdout)
    assert [r["status"] for r in first] == ["stored", "stored"]
    again = jsonl(run_cli("ingest", "--input", src, env=FAST).stdout)
    assert [r["status"] for r in again] == ["updated", "updated"]
    latest = jsonl(run_cli("latest", "--json", env=FAST).stdout)
    assert [s["id"] for s in latest] == ["a2", "a1"]
    japan = jsonl(run_cli("latest", "--country", "Japan", "--json", env=FAST).stdout)
    assert [s["id"] for s in japan] == ["a2"]
    assert run_cli("latest", "--country", "Atlantis", env=FAST).returncode == 2


@pytest.mark.parametrize("command", ["process", "ingest", "latest", "demo", "eval"])
def test_every_command_has_help(command: str) -> None:
    result = run_cli(command, "--help")
    assert result.returncode == 0 and "Usage" in result.stdout


@pytest.mark.model
def test_demo_end_to_end_shows_seed_story_tagged_france_and_russia() -> None:
    result = run_cli("demo", env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "France Eyes Potential Talks with Russia" in out
    seed_panel = out.split("France Eyes Potential Talks with Russia", 1)[1].split("╰", 1)[0]
    assert "France (primary)" in seed_panel and "Russia" in seed_panel
    assert "6 stories stored" in out


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        (
            {"HEADLINES_INDEX_SNAPSHOT": "s3://only-a-bucket"},
            "HEADLINES_INDEX_SNAPSHOT: Value error, 's3://only-a-bucket' names no object",
        ),
        ({"HEADLINES_FETCH_TIMEOUT": "soon"}, "HEADLINES_FETCH_TIMEOUT: Input should be a valid number"),
    ],
)
def test_a_bad_setting_is_one_line_naming_the_variable_and_exit_2(tmp_path: Path, setting, message) -> None:
    result = run_cli("latest", env={"HEADLINES_DB": str(tmp_path / "h.db"), **setting})
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"error: {message}") and "Traceback" not in result.stderr
