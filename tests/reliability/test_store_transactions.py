"""The state store's transactions: all of a save is kept, or none of it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from notion_crm.errors import StateError
from notion_crm.store import migrations
from notion_crm.store.sqlite import connect, transaction


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    opened = connect(tmp_path / "state.db")
    migrations.apply(opened, tmp_path / "state.db")
    yield opened
    opened.close()


def _meta(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    return conn.execute("SELECT key, value FROM meta ORDER BY key").fetchall()


def test_an_sqlite_failure_inside_the_block_keeps_nothing(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    with pytest.raises(StateError, match="State store"), transaction(conn, tmp_path):
        conn.execute("INSERT INTO meta VALUES ('a', '1')")
        conn.execute("INSERT INTO no_such_table VALUES (1)")

    assert _meta(conn) == []
    assert not conn.in_transaction


def test_any_other_failure_keeps_nothing_and_propagates(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    with pytest.raises(KeyError), transaction(conn, tmp_path):
        conn.execute("INSERT INTO meta VALUES ('a', '1')")
        raise KeyError("boom")

    assert _meta(conn) == []


def test_a_rollback_sqlite_already_did_does_not_hide_the_error(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    # After SQLITE_FULL or an I/O error SQLite may end the transaction itself;
    # the error that caused it is the one to report.
    with pytest.raises(StateError, match="State store"), transaction(conn, tmp_path):
        conn.execute("INSERT INTO meta VALUES ('a', '1')")
        conn.execute("ROLLBACK")
        conn.execute("INSERT INTO no_such_table VALUES (1)")

    assert _meta(conn) == []


def test_a_store_from_a_newer_version_is_refused_and_left_alone(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    conn.execute(f"PRAGMA user_version = {migrations.LATEST + 1}")

    with pytest.raises(StateError, match="newer than this notion-crm"):
        migrations.apply(conn, tmp_path / "state.db")

    assert migrations.version(conn) == migrations.LATEST + 1


def test_a_file_that_is_not_a_store_is_reported_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    path.write_bytes(b"not sqlite at all" * 64)

    for readonly in (False, True):
        with pytest.raises(StateError, match="not a notion-crm state store"):
            connect(path, readonly=readonly)
