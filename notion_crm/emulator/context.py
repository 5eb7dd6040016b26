"""What a handler needs to serve one request."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from notion_crm.emulator.config import FREE_BLOCK_LIMIT, EmulatorConfig
from notion_crm.emulator.errors import ApiError, bad_cursor
from notion_crm.emulator.model import Caller
from notion_crm.emulator.store import Store

GRACE_PERIOD = timedelta(days=3)


@dataclass
class Ctx:
    """The store, the caller, the emulator clock's "now" and per-request fault hints."""

    store: Store
    caller: Caller
    now: datetime
    config: EmulatorConfig
    query_cap: int
    upload_limit: int
    cursor_fault: str | None = None
    hints: dict[str, Any] = field(default_factory=dict)

    def count_blocks(self, count: int) -> None:
        """Count ``count`` new blocks against the Free plan's lifetime limit."""
        if count <= 0:
            return
        store = self.store
        limited = self.config.plan == "free" and self.config.members > 1
        if limited:
            reached = store.limit_reached_at
            if reached is not None and self.now >= reached + GRACE_PERIOD:
                raise ApiError(
                    400,
                    "validation_error",
                    "This workspace has reached its block limit of "
                    f"{FREE_BLOCK_LIMIT} blocks. Upgrade to a paid plan to add more "
                    "content.",
                )
        store.blocks_created += count
        reached_now = limited and store.blocks_created >= FREE_BLOCK_LIMIT
        if reached_now and store.limit_reached_at is None:
            store.limit_reached_at = self.now

    def open_cursor(self, scope: str, index: int, next_id: str) -> str:
        """Register a cursor pointing at ``index`` of the list ``scope``."""
        token = self.store.new_id()
        cursors = self.store.cursors
        if len(cursors) > 20_000:
            for key in list(cursors)[:10_000]:
                del cursors[key]
        cursors[token] = (scope, index, next_id)
        return token

    def read_cursor(self, scope: str, cursor: str, ids: list[str]) -> int:
        """The start index for ``cursor`` within ``ids`` (a list of item keys)."""
        if self.cursor_fault == "badcursor":
            raise bad_cursor(cursor)
        entry = self.store.cursors.get(cursor)
        if entry is None or entry[0] != scope:
            raise bad_cursor(cursor)
        _, index, next_id = entry
        if 0 <= index < len(ids) and ids[index] == next_id:
            return index
        try:
            return ids.index(next_id)
        except ValueError:
            return min(index, len(ids))


def page_size(raw: Any) -> int:
    """A ``page_size`` value checked against Notion's bounds (default 100)."""
    from notion_crm.emulator.errors import body_failed, too_long

    if raw is None:
        return 100
    try:
        size = int(raw)
    except (TypeError, ValueError) as exc:
        raise body_failed("body.page_size", "should be a number") from exc
    if size > 100:
        raise too_long("body.page_size", 100, size)
    if size < 1:
        raise body_failed("body.page_size", f"should be ≥ `1`, instead was `{size}`")
    return size
