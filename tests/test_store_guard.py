"""The state store and settings refuse files that are not theirs, with the fix."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from notion_crm.errors import ConfigError, StateError
from notion_crm.settings import load_settings
from notion_crm.store.state import StateStore


def test_another_applications_database_is_never_written(tmp_path: Path) -> None:
    foreign = tmp_path / "other.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE invoices (n INTEGER)")

    with pytest.raises(StateError, match="another application"):
        StateStore(foreign)

    with sqlite3.connect(foreign) as conn:
        tables = conn.execute("SELECT name FROM sqlite_master").fetchall()
    assert tables == [("invoices",)]


def test_an_empty_file_read_only_says_to_provision(tmp_path: Path) -> None:
    empty = tmp_path / "state.db"
    empty.touch()

    with pytest.raises(StateError, match="provision"):
        StateStore(empty, readonly=True)


def test_a_new_file_becomes_a_state_store(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "fresh" / "state.db")
    try:
        assert store.binding() is None
    finally:
        store.close()


def test_a_config_file_that_is_not_utf8_is_explained(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_bytes(b"\xff\xfe[notion]\n")

    with pytest.raises(ConfigError, match="not UTF-8"):
        load_settings(config)
