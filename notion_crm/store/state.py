"""The state store: what notion-crm remembers between runs.

It keeps the binding (ids of everything provisioned), the mirror of every page the
engine has read, one polling cursor per data source, stage transitions, pending
writes, the figures last published on the dashboard, and a log of runs. Writers hold
the store's lock (:meth:`StateStore.lock`), so ``run``, ``sync`` and ``provision``
never write at the same time.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from filelock import FileLock, Timeout

from notion_crm.errors import LockedError, StateError
from notion_crm.schema.binding import Binding
from notion_crm.store import migrations
from notion_crm.store.codec import Record, decode, encode
from notion_crm.store.sqlite import connect, describe, describe_os, transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where polling of one data source stands."""

    since: datetime | None
    cold_done: bool


@dataclass(frozen=True, slots=True)
class StoredTransition:
    """A stage change as recorded."""

    page_id: str
    from_stage: str | None
    to_stage: str | None
    edited: datetime
    seen: datetime


@dataclass(frozen=True, slots=True)
class PendingWrite:
    """A write that failed for a reason that will not pass by itself."""

    page_id: str
    property: str
    error: str
    since: datetime


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One recorded run of a cycle or of provisioning."""

    kind: str
    started: datetime
    duration_s: float | None
    requests: int | None
    pages_read: int | None
    pages_written: int | None
    error: str | None


@dataclass(slots=True)
class CycleCommit:
    """Everything one sync cycle saves, in one transaction."""

    upserts: list[tuple[str, Record, str | None]]
    deletes: list[str]
    cursors: dict[str, Cursor]
    transitions: list[StoredTransition]
    pending_added: list[PendingWrite]
    pending_cleared: list[tuple[str, str]]
    published: dict[str, str]


class StateStore:
    """Typed access to the SQLite state store at ``path``."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        self.readonly = readonly
        self._conn = connect(path, readonly=readonly)
        if readonly:
            migrations.pending(self._conn)
            if migrations.version(self._conn) == 0:
                raise StateError(
                    f"{path} is not a notion-crm state store (it is empty).",
                    hint="Run `notion-crm provision --parent PAGE` first, or point "
                    "[state] path at the store provisioning wrote.",
                )
        else:
            _refuse_foreign(self._conn, path)
            migrations.apply(self._conn, path)

    def close(self) -> None:
        self._conn.close()

    @staticmethod
    @contextmanager
    def lock(path: Path) -> Iterator[None]:
        """Hold the store's lock, or fail at once if another process holds it."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            guard = FileLock(str(path) + ".lock", timeout=0)
            guard.acquire()
        except Timeout:
            raise LockedError(
                f"Another notion-crm process is using {path}.",
                hint="Wait for it to finish, or stop the daemon (notion-crm run) "
                "before running this command.",
            ) from None
        except OSError as exc:
            raise describe_os(exc, path) from None
        try:
            yield
        finally:
            guard.release()

    # -- meta and binding ---------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,))
        found = row.fetchone()
        return str(found[0]) if found else None

    def set_meta(self, key: str, value: str) -> None:
        with transaction(self._conn, self.path):
            self._conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value)
            )

    def binding(self) -> Binding | None:
        text = self.get_meta("binding")
        return Binding.model_validate_json(text) if text else None

    def save_binding(self, binding: Binding) -> None:
        self.set_meta("binding", binding.model_dump_json())

    # -- mirror ----------------------------------------------------------------------

    def load_mirror(self) -> dict[str, dict[str, Record]]:
        """Every mirrored record, by database key and page id."""
        mirror: dict[str, dict[str, Record]] = {}
        for db, page_id, text in self._conn.execute("SELECT db, id, record FROM pages"):
            mirror.setdefault(db, {})[page_id] = decode(db, text)
        return mirror

    def cursors(self) -> dict[str, Cursor]:
        found: dict[str, Cursor] = {}
        for db, since, cold in self._conn.execute(
            "SELECT db, cursor, cold_done FROM cursors"
        ):
            moment = datetime.fromisoformat(since) if since else None
            found[db] = Cursor(since=moment, cold_done=bool(cold))
        return found

    def commit_cycle(self, commit: CycleCommit) -> None:
        """Save a cycle's mirror, cursors and findings atomically."""
        with transaction(self._conn, self.path) as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO pages (id, db, record, last_edited_time) "
                "VALUES (?, ?, ?, ?)",
                [(r.id, db, encode(r), edited) for db, r, edited in commit.upserts],
            )
            conn.executemany(
                "DELETE FROM pages WHERE id = ?", [(i,) for i in commit.deletes]
            )
            conn.executemany(
                "INSERT OR REPLACE INTO cursors (db, cursor, cold_done) VALUES (?, ?, "
                "?)",
                [
                    (db, c.since.isoformat() if c.since else None, int(c.cold_done))
                    for db, c in commit.cursors.items()
                ],
            )
            self._insert_transitions(conn, commit.transitions)
            self._update_pending(conn, commit.pending_added, commit.pending_cleared)
            conn.executemany(
                "INSERT OR REPLACE INTO published (key, text) VALUES (?, ?)",
                list(commit.published.items()),
            )

    @staticmethod
    def _insert_transitions(
        conn: sqlite3.Connection, transitions: Iterable[StoredTransition]
    ) -> None:
        conn.executemany(
            "INSERT INTO transitions (page_id, from_stage, to_stage, edited, seen) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                (
                    t.page_id,
                    t.from_stage,
                    t.to_stage,
                    t.edited.isoformat(),
                    t.seen.isoformat(),
                )
                for t in transitions
            ],
        )

    @staticmethod
    def _update_pending(
        conn: sqlite3.Connection,
        added: Iterable[PendingWrite],
        cleared: Iterable[tuple[str, str]],
    ) -> None:
        conn.executemany(
            "DELETE FROM pending WHERE page_id = ? AND property = ?", list(cleared)
        )
        conn.executemany(
            "INSERT OR REPLACE INTO pending (page_id, property, error, since) "
            "VALUES (?, ?, ?, ?)",
            [(p.page_id, p.property, p.error, p.since.isoformat()) for p in added],
        )

    # -- transitions, pending, published -------------------------------------------

    def transitions(self, page_id: str | None = None) -> list[StoredTransition]:
        query = "SELECT page_id, from_stage, to_stage, edited, seen FROM transitions"
        args: tuple[str, ...] = ()
        if page_id is not None:
            query += " WHERE page_id = ?"
            args = (page_id,)
        rows = self._conn.execute(query + " ORDER BY seq", args)
        return [
            StoredTransition(
                p, f, t, datetime.fromisoformat(e), datetime.fromisoformat(s)
            )
            for p, f, t, e, s in rows
        ]

    def last_transitions(self) -> dict[str, datetime]:
        """Page id -> when its latest recorded stage change was edited."""
        rows = self._conn.execute(
            "SELECT page_id, edited FROM transitions WHERE seq IN "
            "(SELECT MAX(seq) FROM transitions GROUP BY page_id)"
        )
        return {page: datetime.fromisoformat(edited) for page, edited in rows}

    def pending(self) -> list[PendingWrite]:
        rows = self._conn.execute(
            "SELECT page_id, property, error, since FROM pending ORDER BY since"
        )
        return [PendingWrite(p, k, e, datetime.fromisoformat(s)) for p, k, e, s in rows]

    def published(self) -> dict[str, str]:
        return dict(self._conn.execute("SELECT key, text FROM published").fetchall())

    # -- runs --------------------------------------------------------------------------

    def record_run(self, run: RunRecord) -> None:
        try:
            with transaction(self._conn, self.path) as conn:
                conn.execute(
                    "INSERT INTO runs (kind, started, duration_s, requests, "
                    "pages_read, "
                    "pages_written, error) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        run.kind,
                        run.started.isoformat(),
                        run.duration_s,
                        run.requests,
                        run.pages_read,
                        run.pages_written,
                        run.error,
                    ),
                )
        except sqlite3.Error as exc:
            raise describe(exc, self.path) from exc

    def recent_runs(self, limit: int = 10) -> list[RunRecord]:
        rows = self._conn.execute(
            "SELECT kind, started, duration_s, requests, pages_read, pages_written, "
            "error "
            "FROM runs ORDER BY seq DESC LIMIT ?",
            (limit,),
        )
        return [
            RunRecord(k, datetime.fromisoformat(s), d, r, pr, pw, e)
            for k, s, d, r, pr, pw, e in rows
        ]

    def last_success(self, kind: str) -> datetime | None:
        """When the latest run of ``kind`` that ended without error started."""
        row = self._conn.execute(
            "SELECT started FROM runs WHERE kind = ? AND error IS NULL "
            "ORDER BY seq DESC LIMIT 1",
            (kind,),
        ).fetchone()
        return datetime.fromisoformat(row[0]) if row else None

    def forget_published(self, keys: list[str]) -> None:
        """Forget published texts so the next cycle writes those callouts."""
        with transaction(self._conn, self.path) as conn:
            conn.executemany(
                "DELETE FROM published WHERE key = ?", [(k,) for k in keys]
            )

    def reset_sync_state(self) -> None:
        """Forget the mirror and cursors (a rebuilt workspace starts cold)."""
        with transaction(self._conn, self.path) as conn:
            conn.execute("DELETE FROM pages")
            conn.execute("DELETE FROM cursors")
            conn.execute("DELETE FROM published")


def _refuse_foreign(conn: sqlite3.Connection, path: Path) -> None:
    """A new store is empty; an unversioned file with tables belongs to another app."""
    if migrations.version(conn) != 0:
        return
    tables = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
    ).fetchone()[0]
    if tables:
        raise StateError(
            f"{path} is an SQLite database of another application.",
            hint="Point [state] path at a file of its own (the default is "
            ".notion-crm/state.db); notion-crm never writes into another database.",
        )


def dump_json(value: object) -> str:
    """Compact JSON for meta values."""
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise StateError(f"Cannot store {value!r}: {exc}.") from exc
