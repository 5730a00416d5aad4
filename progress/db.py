"""Connections, transactions, timestamps and JSON for the progress store.

- The database file is `$CHARTLAB_DB`, default `data/chartlab.db` in the project root; its parent
  directories are created on first use.
- `connect()` opens a new `sqlite_utils.Database` with WAL, `foreign_keys=ON`, a busy timeout and
  `synchronous=FULL` (a returned write survives a crash or power loss), then applies pending
  migrations. `get_db()` keeps one such connection per thread (sqlite3 connections refuse to be
  shared across threads); every public function takes `db=None` and falls back to `get_db()`.
- Every write runs inside `write(db)`: `BEGIN IMMEDIATE ... COMMIT`. IMMEDIATE takes the write lock
  up front, so a transaction that reads before it writes cannot fail with SQLITE_BUSY half-way
  (a DEFERRED one can, and the busy timeout does not retry that case). Writers of one process
  first queue on a per-file lock: SQLite's busy handler polls with growing sleeps,
  which is slow and can starve one thread past the timeout when many threads write at once. The
  busy timeout still arbitrates between processes.
- Timestamps are UTC ISO-8601 strings, `YYYY-MM-DDTHH:MM:SSZ`: they sort as text and SQLite's
  date functions read them.
"""
from __future__ import annotations

import json
import os
import sqlite3
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from sqlite_utils import Database

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "chartlab.db"
BUSY_TIMEOUT_MS = 5000
WRITE_QUEUE_TIMEOUT_S = 30
_local = threading.local()
_write_locks: dict[str, threading.RLock] = {}
_write_locks_guard = threading.Lock()


def db_path() -> Path:
    """The configured database file: `$CHARTLAB_DB` or `data/chartlab.db`."""
    return Path(os.environ.get("CHARTLAB_DB") or DEFAULT_PATH)


def connect(path: str | Path | None = None, *, migrate: bool = True) -> Database:
    """Open a new connection (for the calling thread only) and bring the schema up to date."""
    path = Path(path) if path is not None else db_path()
    if str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000))
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA foreign_keys = ON")
    db.enable_wal()
    db.execute("PRAGMA synchronous = FULL")
    if migrate:
        from progress.migrations import migrate as apply_migrations
        apply_migrations(db)
    return db


def get_db() -> Database:
    """This thread's connection to `db_path()`, opened (and migrated) on first use."""
    cache = _local.__dict__.setdefault("connections", {})
    key = str(db_path())
    if key not in cache:
        cache[key] = connect(key)
    return cache[key]


def resolve(db: Database | None) -> Database:
    """`db` itself, or this thread's default connection when `db` is None."""
    return get_db() if db is None else db


def filename(db: Database) -> str:
    """The file behind `db` ("" for an in-memory database)."""
    return db.conn.execute("PRAGMA database_list").fetchone()[2] or ""


def _write_lock(db: Database) -> threading.RLock:
    """This process's writer queue for the database file behind `db` (re-entrant, so a thread
    that already writes through another connection fails fast on SQLite's busy timeout)."""
    with _write_locks_guard:
        return _write_locks.setdefault(filename(db), threading.RLock())


@contextmanager
def write(db: Database) -> Iterator[Database]:
    """A write transaction (BEGIN IMMEDIATE); nested use becomes a savepoint."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    lock = _write_lock(db)
    if not lock.acquire(timeout=WRITE_QUEUE_TIMEOUT_S):
        raise sqlite3.OperationalError("database is locked (writer queue timeout)")
    try:
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield db
            db.conn.execute("COMMIT")   # may fail (deferred foreign keys): then roll back too
        except BaseException:
            db.rollback()
            raise
    finally:
        lock.release()


def rows(db: Database, sql: str, params: list | tuple | dict = ()) -> list[dict]:
    """All rows of a query as plain dicts."""
    return list(db.query(sql, params))


def one(db: Database, sql: str, params: list | tuple | dict = ()) -> dict | None:
    """The first row of a query, or None."""
    return next(iter(db.query(sql, params)), None)


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(timezone.utc)


def as_utc(moment: datetime) -> datetime:
    """`moment` as an aware UTC datetime; naive datetimes are taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def iso(moment: datetime | None = None) -> str:
    """`moment` (default: now) as `YYYY-MM-DDTHH:MM:SSZ`."""
    return as_utc(moment or utcnow()).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    """The aware UTC datetime of a stored timestamp (one without a zone is taken to be UTC)."""
    return as_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))


def to_json(value: Any) -> str:
    """Compact JSON text for a JSON column; objects with `to_dict()` are converted first."""
    return json.dumps(plain(value), separators=(",", ":"), ensure_ascii=False)


def plain(value: Any) -> Any:
    """`value.to_dict()` for domain objects (Answer, ScoreReport...), `value` otherwise."""
    to_dict = getattr(value, "to_dict", None)
    return to_dict() if callable(to_dict) else value
