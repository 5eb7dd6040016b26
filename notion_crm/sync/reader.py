"""Reading what changed in the four data sources.

Notion rounds ``last_edited_time`` down to the minute, so each data source is polled
with an inclusive ``on_or_after`` filter from a cursor a little behind the server's own
clock; what really changed is decided by comparing values with the mirror, never by
timestamps alone (field reports F1 to F3).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from notion_crm.notion import properties as P
from notion_crm.notion.gateway import NotionGateway, QueryResult
from notion_crm.schema.binding import Binding
from notion_crm.store.state import Cursor

logger = logging.getLogger(__name__)

CURSOR_MARGIN = timedelta(seconds=10)
"""How far behind the server's clock the next poll starts, against in-flight edits."""

DATABASES = ("companies", "contacts", "opportunities", "interactions")


@dataclass(slots=True)
class SourceRead:
    """The pages one data source returned, and where its next poll starts."""

    db: str
    pages: list[P.Json]
    complete_read: bool
    next_cursor: datetime | None


@dataclass(slots=True)
class Reads:
    """Everything read in one cycle, by data source."""

    sources: dict[str, SourceRead] = field(default_factory=dict)


def poll_filter(since: datetime) -> dict[str, Any]:
    """Pages edited in the cursor's minute or later."""
    return {
        "timestamp": "last_edited_time",
        "last_edited_time": {"on_or_after": since.isoformat().replace("+00:00", "Z")},
    }


def next_cursor(result: QueryResult, previous: datetime | None) -> datetime | None:
    """The minute the next poll starts from: the server's time less a margin."""
    if result.server_time is None:
        return previous
    start = result.server_time - CURSOR_MARGIN
    floored = start.replace(second=0, microsecond=0)
    if previous is not None and floored < previous:
        return previous
    return floored


def read_sources(
    gateway: NotionGateway,
    binding: Binding,
    cursors: Mapping[str, Cursor],
    *,
    full: bool,
) -> Reads:
    """Query the four data sources, concurrently: all pages or what changed."""

    def read(db: str) -> SourceRead:
        cursor = cursors.get(db, Cursor(since=None, cold_done=False))
        whole = full or not cursor.cold_done or cursor.since is None
        source_id = binding.database(db).data_source_id
        query_filter = None if whole else poll_filter(cursor.since)  # type: ignore[arg-type]
        result = gateway.query_data_source(source_id, filter=query_filter)
        logger.debug(
            "%s: %d pages read (%s)",
            db,
            len(result.results),
            "all" if whole else "changes",
        )
        return SourceRead(
            db=db,
            pages=list(result.results),
            complete_read=whole,
            next_cursor=next_cursor(result, cursor.since),
        )

    reads = Reads()
    for source in gateway.map(read, DATABASES):
        reads.sources[source.db] = source
    return reads


def property_ids(pages: list[P.Json]) -> set[str]:
    """The property ids present in a list of page objects (decoded)."""
    found: set[str] = set()
    for page in pages[:1]:
        found.update(P.by_id(page))
    return found


def retrieve_pages(gateway: NotionGateway, page_ids: list[str]) -> list[P.Json]:
    """Read single pages again, concurrently; pages gone or unshared are skipped."""

    def fetch(page_id: str) -> P.Json | None:
        from notion_crm.errors import AccessError

        try:
            return gateway.retrieve_page(page_id)
        except AccessError:
            logger.info("page %s is no longer reachable; leaving it out", page_id)
            return None

    return [page for page in gateway.map(fetch, page_ids) if page is not None]
