"""What only the embedded store has: a file that survives reopening. The shared behaviour (dedup, ordering,
exactly-once post records, subscriptions) runs on SQLite and DynamoDB in test_store_contract.py."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from headlines.models import Article
from headlines.store.sqlite import SQLiteStore
from tests.test_store_contract import _story


def test_round_trip_survives_reopen(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    store = SQLiteStore(path)
    art = Article(id="x1", title="T", body="Body.", published=datetime(2025, 1, 1, tzinfo=UTC))
    store.put(_story(art, ("FR",)))
    store.close()
    again = SQLiteStore(path)
    got = again.get("x1")
    assert got is not None and got.article == art and [c.code for c in got.countries] == ["FR"]
