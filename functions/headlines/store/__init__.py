"""Story storage behind one interface: SQLite embedded by default, DynamoDB in AWS."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from headlines.store.base import Store, StoreError

if TYPE_CHECKING:
    from headlines.store.sqlite import SQLiteStore

__all__ = ["SQLiteStore", "Store", "StoreError"]


def __getattr__(name: str) -> Any:
    # Imported on first use: the worker (DynamoDB) path has no need for sqlite3 at cold start.
    if name == "SQLiteStore":
        from headlines.store.sqlite import SQLiteStore

        return SQLiteStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
