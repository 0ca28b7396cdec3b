"""`headlines subscriptions list|add|remove`: the same subscriptions as `/headlines subscribe`, from a shell."""

from __future__ import annotations

import json
from pathlib import Path

from headlines.models import Subscription
from headlines.store.sqlite import SQLiteStore
from tests.test_cli import run_cli


def test_add_list_remove_and_bad_input(tmp_path: Path) -> None:
    env = {"HEADLINES_DB": str(tmp_path / "h.db")}
    out = run_cli("subscriptions", "add", "--channel", "C1", "-c", "FR", "-c", "germany", "-k", "Wind  Power", env=env)
    assert out.returncode == 0 and "France" in out.stdout and "\u201cwind power\u201d" in out.stdout
    out = run_cli("subscriptions", "add", "--channel", "C1", "-c", "JP", "--mode", "mentions", "--json", env=env)
    subs = json.loads(out.stdout)["subscriptions"]
    assert {"kind": "country", "value": "JP", "mode": "mentions"} in subs
    out = run_cli("subscriptions", "remove", "--channel", "C1", "-c", "DE", "-k", "wind power", env=env)
    assert out.returncode == 0
    bad = run_cli("subscriptions", "add", "--channel", "C1", "-c", "Narnia", "-k", "solar", env=env)
    assert bad.returncode == 2 and "Narnia" in bad.stderr  # nothing of a bad request is applied
    bad = run_cli("subscriptions", "add", "--channel", "C1", "-k", "solar", "--mode", "sometimes", env=env)
    assert bad.returncode == 2 and "--mode" in bad.stderr
    store = SQLiteStore(tmp_path / "h.db")
    assert store.channel_subscriptions("C1") == [Subscription.country("FR"), Subscription.country("JP", "mentions")]
    listed = run_cli("subscriptions", "list", "--channel", "C1", env=env)
    assert "Japan (any mention)" in listed.stdout
    store.close()
