"""Opening the embedded store while another process holds the file: wait for it, or fail with a clear error.

A lock SQLite reports at once, without its busy timeout (a new file switched to WAL by two openers, WAL recovery),
is injected here: CI once saw two `headlines ingest` runs sharing a file fail with "database is locked" on open."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from headlines.models import Article
from headlines.store import sqlite as sqlite_store
from headlines.store.base import StoreError
from headlines.store.sqlite import SQLiteStore
from tests.test_store_contract import _story


def _fail_first(monkeypatch: pytest.MonkeyPatch, attempts: int, message: str = "database is locked") -> list[str]:
    """`_connect_once` raises `message` on its first `attempts` calls, then opens for real."""
    real = sqlite_store._connect_once
    calls: list[str] = []

    def flaky(path: str, schema: str, *, foreign_keys: bool) -> sqlite3.Connection:
        calls.append(path)
        if len(calls) <= attempts:
            raise sqlite3.OperationalError(message)
        return real(path, schema, foreign_keys=foreign_keys)

    monkeypatch.setattr(sqlite_store, "_connect_once", flaky)
    return calls


def test_a_lock_reported_at_once_is_waited_out_and_nothing_is_lost(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "shared.db"
    first = SQLiteStore(db)
    first.put(_story(Article(id="a1", title="T", body="France and Germany met."), ("FR",)))
    calls = _fail_first(monkeypatch, attempts=3)
    second = SQLiteStore(db)  # three busy answers, then it opens
    assert len(calls) == 4
    assert second.get("a1") is not None
    assert second._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_lock_that_outlasts_the_wait_fails_and_other_errors_fail_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _fail_first(monkeypatch, attempts=10_000)
    start = time.monotonic()
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        sqlite_store.connect(str(tmp_path / "x.db"), "", wait=0.5)
    assert 0.3 <= time.monotonic() - start < 5 and len(calls) > 1
    calls = _fail_first(monkeypatch, attempts=10_000, message="file is not a database")
    with pytest.raises(sqlite3.OperationalError, match="not a database"):
        sqlite_store.connect(str(tmp_path / "y.db"), "", wait=5)
    assert len(calls) == 1  # not a lock: retrying cannot help


def test_a_file_that_is_not_a_database_is_a_store_error_naming_it(tmp_path: Path) -> None:
    bad = tmp_path / "notes.db"
    bad.write_bytes(b"these are my notes, not a database" * 100)
    with pytest.raises(StoreError, match=r"cannot open the store at .*notes\.db"):
        SQLiteStore(bad)
