"""Story storage behind one interface: SQLite embedded by default, DynamoDB in AWS."""

from headlines.store.base import Store, StoreError
from headlines.store.sqlite import SQLiteStore

__all__ = ["SQLiteStore", "Store", "StoreError"]
