"""The embedded store: one SQLite file (WAL), stdlib only."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from headlines.models import ALL_COUNTRIES, DigestSchedule, Story
from headlines.store.base import PostRecord, Store, StoreError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS stories (
    id TEXT PRIMARY KEY,
    dedup_key TEXT NOT NULL UNIQUE,
    content_hash TEXT NOT NULL,
    sort_time TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS stories_time ON stories (sort_time DESC);
CREATE TABLE IF NOT EXISTS story_countries (
    story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    primary_tag INTEGER NOT NULL,
    sort_time TEXT NOT NULL,
    PRIMARY KEY (story_id, code)
);
CREATE INDEX IF NOT EXISTS story_countries_code ON story_countries (code, sort_time DESC);
CREATE TABLE IF NOT EXISTS posts (
    channel TEXT NOT NULL,
    story_id TEXT NOT NULL,
    posted_at TEXT NOT NULL,
    rev INTEGER NOT NULL DEFAULT 0,
    data TEXT,
    PRIMARY KEY (channel, story_id)
);
CREATE TABLE IF NOT EXISTS subscriptions (
    channel TEXT NOT NULL,
    code TEXT NOT NULL,
    PRIMARY KEY (channel, code)
);
CREATE INDEX IF NOT EXISTS subscriptions_code ON subscriptions (code);
CREATE TABLE IF NOT EXISTS digests (
    channel TEXT PRIMARY KEY,
    data TEXT NOT NULL
);
"""


_BUSY_WORDS = ("locked", "busy")
"""What sqlite3 says when another process holds a lock that SQLite did not wait out for us."""


def connect(path: str, schema: str, *, foreign_keys: bool = False, wait: float = 30.0) -> sqlite3.Connection:
    """A connection shared across threads (callers lock), WAL so readers never block the writer,
    `schema` applied. Used by the story store and the vector table that lives in the same file.

    Two processes opening one file at once (two `headlines ingest` runs) can meet a lock that SQLite reports at
    once instead of waiting out its busy timeout (switching a new file to WAL, WAL recovery): setting up is
    retried with backoff for up to `wait` seconds, so the second run waits its turn instead of failing."""
    deadline = time.monotonic() + wait
    delay = 0.05
    while True:
        try:
            return _connect_once(path, schema, foreign_keys=foreign_keys)
        except sqlite3.OperationalError as exc:
            busy = any(word in str(exc).lower() for word in _BUSY_WORDS)
            if not busy or time.monotonic() + delay > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 1.0)


def _connect_once(path: str, schema: str, *, foreign_keys: bool) -> sqlite3.Connection:
    if path != ":memory:":
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, check_same_thread=False, timeout=30)
    try:
        if str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
            conn.execute("PRAGMA journal_mode=WAL")  # needs the file to itself: only the first opener does it
        if foreign_keys:
            conn.execute("PRAGMA foreign_keys=ON")
        conn.executescript(schema)
    except sqlite3.Error:
        conn.close()
        raise
    return conn


def _plain_code(token: str) -> bool:
    """A country code in `about` mode or "*": what `subscriptions()` has always returned."""
    return token == ALL_COUNTRIES or (len(token) == 2 and token.isalpha())


def _iso(dt: datetime) -> str:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).isoformat()


class SQLiteStore(Store):
    """Thread-safe SQLite store. `path=":memory:"` gives a private in-memory store."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        try:
            self._conn = connect(self.path, _SCHEMA, foreign_keys=True)
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open the store at {self.path}: {exc}") from exc
        self._lock = threading.RLock()
        self._migrate()

    def _migrate(self) -> None:
        """Files written before the post ledger get its two columns (old rows read as sent posts)."""
        with self._lock:
            columns = {row[1] for row in self._conn.execute("PRAGMA table_info(posts)")}
            for name, decl in (("rev", "INTEGER NOT NULL DEFAULT 0"), ("data", "TEXT")):
                if name not in columns:
                    try:
                        with self._conn:
                            self._conn.execute(f"ALTER TABLE posts ADD COLUMN {name} {decl}")
                    except sqlite3.OperationalError as exc:  # another process added it first
                        if "duplicate column" not in str(exc):
                            raise

    def put(self, story: Story) -> Story:
        """Upsert in one IMMEDIATE transaction: the write lock is taken before the lookup, so another process
        storing the same article waits (busy timeout) instead of failing on `UNIQUE ... dedup_key`."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                story = self._put_locked(story)
            except BaseException:
                self._conn.rollback()
                raise
            self._conn.commit()
        return story

    def _put_locked(self, story: Story) -> Story:
        key = story.article.dedup_key
        row = self._conn.execute(
            "SELECT id, data FROM stories WHERE dedup_key = ? OR id = ? ORDER BY (dedup_key = ?) DESC LIMIT 1",
            (key, story.id, key),
        ).fetchone()
        if row is not None:
            previous = Story.model_validate_json(row[1])
            story = story.model_copy(update={"id": row[0], "created_at": previous.created_at})
            self._conn.execute("DELETE FROM stories WHERE id = ?", (row[0],))
        sort_time = _iso(story.sort_time)
        self._conn.execute(
            "INSERT INTO stories (id, dedup_key, content_hash, sort_time, data) VALUES (?, ?, ?, ?, ?)",
            (story.id, key, story.content_hash, sort_time, story.model_dump_json()),
        )
        self._conn.executemany(
            "INSERT INTO story_countries (story_id, code, primary_tag, sort_time) VALUES (?, ?, ?, ?)",
            [(story.id, c.code, int(c.primary), sort_time) for c in story.countries],
        )
        return story

    def get(self, story_id: str) -> Story | None:
        row = self._conn.execute("SELECT data FROM stories WHERE id = ?", (story_id,)).fetchone()
        return Story.model_validate_json(row[0]) if row else None

    def find(self, dedup_key: str) -> Story | None:
        row = self._conn.execute("SELECT data FROM stories WHERE dedup_key = ?", (dedup_key,)).fetchone()
        return Story.model_validate_json(row[0]) if row else None

    def latest(self, *, country: str | None = None, limit: int = 10, since: datetime | None = None) -> list[Story]:
        since_iso = _iso(since) if since else ""
        if country:
            rows = self._conn.execute(
                "SELECT s.data FROM story_countries c JOIN stories s ON s.id = c.story_id "
                "WHERE c.code = ? AND c.sort_time >= ? ORDER BY c.sort_time DESC, s.id LIMIT ?",
                (country.upper(), since_iso, limit),
            ).fetchall()
        else:
            rows = self._conn.execute(
                "SELECT data FROM stories WHERE sort_time >= ? ORDER BY sort_time DESC, id LIMIT ?",
                (since_iso, limit),
            ).fetchall()
        return [Story.model_validate_json(r[0]) for r in rows]

    def count(self) -> int:
        return int(self._conn.execute("SELECT COUNT(*) FROM stories").fetchone()[0])

    def record_post(self, channel: str, story_id: str) -> bool:
        with self._lock, self._conn:
            cur = self._conn.execute(
                "INSERT OR IGNORE INTO posts (channel, story_id, posted_at) VALUES (?, ?, ?)",
                (channel, story_id, _iso(datetime.now(UTC))),
            )
            return cur.rowcount == 1

    def forget_post(self, channel: str, story_id: str) -> None:
        with self._lock, self._conn:
            self._conn.execute("DELETE FROM posts WHERE channel = ? AND story_id = ?", (channel, story_id))

    def get_post_record(self, channel: str, key: str) -> PostRecord | None:
        row = self._conn.execute(
            "SELECT rev, data, posted_at FROM posts WHERE channel = ? AND story_id = ?", (channel, key)
        ).fetchone()
        if row is None:
            return None
        if row[1] is None:  # a record_post row: posted, message unknown
            return PostRecord(channel=channel, key=key, rev=row[0], state="sent", posted_at=datetime.fromisoformat(row[2]))
        return PostRecord.from_ledger(channel, key, row[0], row[1])

    def put_post_record(self, record: PostRecord, *, expected_rev: int | None) -> bool:
        data = record.ledger_json()
        with self._lock, self._conn:
            if expected_rev is None:
                cur = self._conn.execute(
                    "INSERT OR IGNORE INTO posts (channel, story_id, posted_at, rev, data) VALUES (?, ?, ?, ?, ?)",
                    (record.channel, record.key, _iso(datetime.now(UTC)), record.rev, data),
                )
            else:
                cur = self._conn.execute(
                    "UPDATE posts SET rev = ?, data = ? WHERE channel = ? AND story_id = ? AND rev = ?",
                    (record.rev, data, record.channel, record.key, expected_rev),
                )
            return cur.rowcount == 1

    def delete_post_record(self, channel: str, key: str, *, expected_rev: int) -> bool:
        with self._lock, self._conn:
            cur = self._conn.execute(
                "DELETE FROM posts WHERE channel = ? AND story_id = ? AND rev = ?", (channel, key, expected_rev)
            )
            return cur.rowcount == 1

    def subscribe(self, channel: str, codes: Iterable[str]) -> set[str]:
        with self._lock, self._conn:
            self._conn.executemany(
                "INSERT OR IGNORE INTO subscriptions (channel, code) VALUES (?, ?)",
                [(channel, c.upper()) for c in codes],
            )
        return self.subscriptions(channel)

    def unsubscribe(self, channel: str, codes: Iterable[str]) -> set[str]:
        codes = [c.upper() for c in codes]
        with self._lock, self._conn:
            if ALL_COUNTRIES in codes:
                self._conn.execute("DELETE FROM subscriptions WHERE channel = ?", (channel,))
            else:
                self._conn.executemany("DELETE FROM subscriptions WHERE channel = ? AND code = ?", [(channel, c) for c in codes])
        return self.subscriptions(channel)

    def subscriptions(self, channel: str) -> set[str]:
        return {t for t in self.tokens(channel) if _plain_code(t)}

    def add_tokens(self, channel: str, tokens: Iterable[str]) -> None:
        with self._lock, self._conn:
            self._conn.executemany(
                "INSERT OR IGNORE INTO subscriptions (channel, code) VALUES (?, ?)", [(channel, t) for t in tokens]
            )

    def remove_tokens(self, channel: str, tokens: Iterable[str]) -> None:
        with self._lock, self._conn:
            self._conn.executemany("DELETE FROM subscriptions WHERE channel = ? AND code = ?", [(channel, t) for t in tokens])

    def tokens(self, channel: str) -> set[str]:
        rows = self._conn.execute("SELECT code FROM subscriptions WHERE channel = ?", (channel,)).fetchall()
        return {r[0] for r in rows}

    def channels_for_tokens(self, tokens: Iterable[str]) -> set[str]:
        wanted = list(dict.fromkeys(tokens))
        if not wanted:
            return set()
        marks = ",".join("?" * len(wanted))
        rows = self._conn.execute(f"SELECT DISTINCT channel FROM subscriptions WHERE code IN ({marks})", wanted).fetchall()
        return {r[0] for r in rows}

    def keyword_tokens(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for channel, token in self._conn.execute("SELECT channel, code FROM subscriptions WHERE code LIKE 'kw:%'"):
            out.setdefault(channel, set()).add(token)
        return out

    def channels_for(self, codes: Iterable[str]) -> set[str]:
        return self.channels_for_tokens([*(c.upper() for c in codes), ALL_COUNTRIES])

    def set_digest(self, schedule: DigestSchedule) -> None:
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT OR REPLACE INTO digests (channel, data) VALUES (?, ?)",
                (schedule.channel, schedule.model_dump_json()),
            )

    def get_digest(self, channel: str) -> DigestSchedule | None:
        row = self._conn.execute("SELECT data FROM digests WHERE channel = ?", (channel,)).fetchone()
        return DigestSchedule.model_validate_json(row[0]) if row else None

    def delete_digest(self, channel: str) -> None:
        with self._lock, self._conn:
            self._conn.execute("DELETE FROM digests WHERE channel = ?", (channel,))

    def digest_schedules(self) -> list[DigestSchedule]:
        rows = self._conn.execute("SELECT data FROM digests ORDER BY channel").fetchall()
        return [DigestSchedule.model_validate_json(r[0]) for r in rows]

    def close(self) -> None:
        self._conn.close()

    def __repr__(self) -> str:
        return f"SQLiteStore({self.path!r})"
