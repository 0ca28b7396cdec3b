"""Behaviour of the embedded store: round trip, dedup, ordering, exactly-once post records."""

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


def test_same_url_updates_and_keeps_first_id(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    first = store.put(_story(Article(id="one", body="v1", url="https://e.com/a")))
    second = store.put(_story(Article(id="two", body="v2", url="https://e.com/a")))
    assert store.count() == 1
    assert second.id == first.id == "one"
    got = store.get("one")
    assert got is not None and got.article.body == "v2" and got.created_at == first.created_at


def test_same_content_without_url_dedups(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    store.put(_story(Article(body="Exactly the same text.")))
    store.put(_story(Article(body="Exactly  the same text.")))
    store.put(_story(Article(body="Another text.")))
    assert store.count() == 2


def test_latest_orders_by_time_and_filters_country(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    for i, cc in enumerate([("FR",), ("DE",), ("FR", "RU")]):
        art = Article(id=f"s{i}", body=f"b{i}", published=datetime(2025, 1, 1 + i, tzinfo=UTC))
        store.put(_story(art, cc))
    assert [s.id for s in store.latest()] == ["s2", "s1", "s0"]
    assert [s.id for s in store.latest(country="fr")] == ["s2", "s0"]
    assert [s.id for s in store.latest(limit=1)] == ["s2"]
    assert [s.id for s in store.latest(since=datetime(2025, 1, 2, tzinfo=UTC))] == ["s2", "s1"]
    # re-tagging replaces the country index rows
    store.put(_story(Article(id="s0", body="b0", published=datetime(2025, 1, 1, tzinfo=UTC)), ("DE",)))
    assert [s.id for s in store.latest(country="FR")] == ["s2"]


def test_record_post_is_true_once(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    assert store.record_post("C1", "s1") is True
    assert store.record_post("C1", "s1") is False
    assert store.record_post("C2", "s1") is True
    store.forget_post("C1", "s1")
    assert store.record_post("C1", "s1") is True


def test_subscriptions(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    assert store.subscribe("C1", ["fr", "de"]) == {"FR", "DE"}
    store.subscribe("C2", ["*"])
    assert store.channels_for(["FR"]) == {"C1", "C2"}
    assert store.channels_for(["JP"]) == {"C2"}
    assert store.unsubscribe("C1", ["FR"]) == {"DE"}
    assert store.unsubscribe("C1", ["*"]) == set()
