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

from notion_crm.errors import AccessError
from notion_crm.notion import properties as P
from notion_crm.notion.gateway import NotionGateway, QueryResult
from notion_crm.provision.binder import nfc
from notion_crm.schema.binding import Binding, DatabaseBinding
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
        result = gateway.query_data_source(
            source_id, filter=query_filter, shrink=P.slim_page
        )
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


WATCHED_OPTIONS: dict[str, tuple[str, ...]] = {
    "opportunities": ("stage",),
    "companies": ("status",),
}
"""Select properties whose option ids the engine computes with, per database."""


def drift_seen(db: str, binding: DatabaseBinding, pages: list[P.Json]) -> str | None:
    """Why the pages a query returned show a schema other than the binding's.

    Every page of a query carries every property, so the first page tells which
    property ids exist and what they are called now; option ids are checked on
    every page. None when nothing differs (then no schema is read).
    """
    if not pages:
        return None
    first = P.by_id(pages[0])
    known = {P.property_key(p.id) for p in binding.properties.values()}
    others = {P.property_key(i) for i in binding.other_ids}
    if set(first) - known - others:
        return "a property the engine does not know"
    if known - set(first):
        return "a property is missing"
    names = P.names_by_id(pages[0])
    for key, prop in binding.properties.items():
        prop_key = P.property_key(prop.id)
        if nfc(names.get(prop_key, "")) != nfc(prop.name):
            return f"{key} was renamed"
        if first[prop_key].get("type") != prop.type:
            return f"{key} changed type"
    for key in WATCHED_OPTIONS.get(db, ()):
        watched = binding.properties.get(key)
        if watched is not None and _unknown_option(pages, watched.id, watched.options):
            return f"an unknown {key} option"
    return None


def _unknown_option(pages: list[P.Json], prop_id: str, options: dict[str, str]) -> bool:
    known = set(options.values())
    for page in pages:
        option = P.read_select(P.lookup(P.by_id(page), prop_id))
        if option is not None and option not in known:
            return True
    return False


def retrieve_pages(gateway: NotionGateway, page_ids: list[str]) -> list[P.Json]:
    """Read single pages again, concurrently; pages gone or unshared are skipped."""

    def fetch(page_id: str) -> P.Json | None:
        try:
            return gateway.retrieve_page(page_id)
        except AccessError:
            logger.info("page %s is no longer reachable; leaving it out", page_id)
            return None

    return [page for page in gateway.map(fetch, page_ids) if page is not None]
