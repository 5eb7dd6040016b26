"""Ordered migrations of the state store, tracked by ``PRAGMA user_version``.

:func:`pending` only reads; :func:`apply` runs what is pending in one transaction.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from notion_crm.errors import StateError
from notion_crm.store.sqlite import transaction

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE pages (
        id TEXT PRIMARY KEY,
        db TEXT NOT NULL,
        record TEXT NOT NULL,
        last_edited_time TEXT
    );
    CREATE INDEX pages_db ON pages (db);
    CREATE TABLE cursors (
        db TEXT PRIMARY KEY,
        cursor TEXT,
        cold_done INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE transitions (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        page_id TEXT NOT NULL,
        from_stage TEXT,
        to_stage TEXT,
        edited TEXT NOT NULL,
        seen TEXT NOT NULL
    );
    CREATE INDEX transitions_page ON transitions (page_id);
    CREATE TABLE pending (
        page_id TEXT NOT NULL,
        property TEXT NOT NULL,
        error TEXT NOT NULL,
        since TEXT NOT NULL,
        PRIMARY KEY (page_id, property)
    );
    CREATE TABLE runs (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        started TEXT NOT NULL,
        duration_s REAL,
        requests INTEGER,
        pages_read INTEGER,
        pages_written INTEGER,
        error TEXT
    );
    CREATE TABLE published (key TEXT PRIMARY KEY, text TEXT NOT NULL);
    """,
)
"""One entry per schema version; entry ``n`` brings the store to version ``n + 1``."""

LATEST = len(MIGRATIONS)


def version(conn: sqlite3.Connection) -> int:
    """The store's schema version (0 for a new file)."""
    try:
        row = conn.execute("PRAGMA user_version").fetchone()
    except sqlite3.Error as exc:
        raise StateError(
            f"Cannot read the state store's version: {exc}.",
            hint="Point [state] path at another file; provisioning rebuilds the "
            "store from the workspace's markers.",
        ) from exc
    return int(row[0])


def pending(conn: sqlite3.Connection) -> list[int]:
    """Versions still to apply; refuses a store written by a newer notion-crm."""
    current = version(conn)
    if current > LATEST:
        raise StateError(
            f"The state store is at version {current}, newer than this notion-crm "
            f"understands ({LATEST}).",
            hint="Upgrade notion-crm (pip install -U notion-crm), or point [state] "
            "path at a new file.",
        )
    return list(range(current + 1, LATEST + 1))


def apply(conn: sqlite3.Connection, path: Path) -> None:
    """Bring the store to the latest version."""
    todo = pending(conn)
    if not todo:
        return
    with transaction(conn, path):
        for number in todo:
            for statement in MIGRATIONS[number - 1].split(";"):
                if statement.strip():
                    conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {LATEST}")
