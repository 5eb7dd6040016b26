"""Opening the state store: one SQLite file, WAL mode, short transactions.

Every write goes through :func:`transaction`, so a process killed at any point leaves
the store as it was before the transaction or after it, never in between.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from notion_crm.errors import StateError

logger = logging.getLogger(__name__)


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """Open the store at ``path``, creating its folder when writing."""
    if path.is_dir():
        raise StateError(
            f"The state store path {path} is a folder, not a file.",
            hint="Set [state] path to a file name, e.g. .notion-crm/state.db.",
        )
    try:
        if readonly:
            if not path.exists():
                raise StateError(
                    f"No state store at {path}.",
                    hint="Run `notion-crm provision --parent PAGE` first, "
                    "or point [state] path at the right file.",
                )
            uri = f"file:{path}?mode=ro"
            conn = sqlite3.connect(uri, uri=True, isolation_level=None)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, isolation_level=None, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        # Reading the schema makes SQLite check the file header now, so that a
        # file that is not a database is reported here, not mid-command.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.Error as exc:
        raise describe(exc, path) from exc
    except OSError as exc:
        raise describe_os(exc, path) from exc


@contextmanager
def transaction(conn: sqlite3.Connection, path: Path) -> Iterator[sqlite3.Connection]:
    """Run the block in one IMMEDIATE transaction: all of it is kept, or none.

    An SQLite failure inside the block or at COMMIT (a full disk, a read-only
    file) rolls everything back and raises a :class:`StateError` that says what
    to do.
    """
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as exc:
        raise describe(exc, path) from exc
    try:
        yield conn
    except sqlite3.Error as exc:
        _rollback(conn)
        raise describe(exc, path) from exc
    except BaseException:
        _rollback(conn)
        raise
    try:
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        _rollback(conn)
        raise describe(exc, path) from exc


def _rollback(conn: sqlite3.Connection) -> None:
    # SQLite rolls back by itself after some errors (SQLITE_FULL, SQLITE_IOERR);
    # a second ROLLBACK would then hide the first error.
    if not conn.in_transaction:
        return
    try:
        conn.execute("ROLLBACK")
    except sqlite3.Error as exc:
        logger.warning("state store rollback failed: %s", exc)


def describe(exc: sqlite3.Error, path: Path) -> StateError:
    """Turn an SQLite failure into a StateError that says what to do."""
    text = str(exc).lower()
    if "readonly" in text or "read-only" in text:
        return StateError(
            f"The state store {path} is read-only.",
            hint="Give this user write access to the file and its folder.",
        )
    if "full" in text or "disk i/o" in text:
        return StateError(
            f"Cannot write the state store {path}: the disk is full or failing.",
            hint="Free some space; nothing was half-written, run the command again.",
        )
    if "locked" in text or "busy" in text:
        return StateError(
            f"The state store {path} is busy.",
            hint="Another notion-crm command is writing; try again in a moment.",
        )
    if "unable to open" in text:
        return StateError(
            f"Cannot open the state store {path}.",
            hint="Check that [state] path names a file in a folder this user can "
            "write.",
        )
    if "not a database" in text or "malformed" in text:
        return StateError(
            f"{path} is not a notion-crm state store (or it is damaged).",
            hint="Point [state] path at another file; provisioning rebuilds the "
            "store from the workspace's markers.",
        )
    return StateError(f"State store {path}: {exc}.", hint="Check the file and retry.")


def describe_os(exc: OSError, path: Path) -> StateError:
    """Turn an OS failure (permissions, full disk) into a StateError."""
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StateError(
            f"Cannot write the state store at {path}: permission denied.",
            hint="Choose a writable [state] path or fix the folder's permissions.",
        )
    if exc.errno == errno.ENOSPC:
        return StateError(
            f"Cannot write the state store at {path}: the disk is full.",
            hint="Free some space and run the command again.",
        )
    return StateError(f"State store {path}: {exc.strerror}.", hint="Check the path.")
