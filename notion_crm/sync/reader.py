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
from zoneinfo import ZoneInfo

from notion_crm.errors import AccessError, InvalidRequestError
from notion_crm.notion import properties as P
from notion_crm.notion.gateway import NotionGateway, QueryResult
from notion_crm.provision.binder import nfc
from notion_crm.schema.binding import Binding, DatabaseBinding
from notion_crm.store.state import Cursor
from notion_crm.sync.decode import Decoded, decode_page

logger = logging.getLogger(__name__)

CURSOR_MARGIN = timedelta(seconds=10)
"""How far behind the server's clock the next poll starts, against in-flight edits."""

DATABASES = ("companies", "contacts", "opportunities", "interactions")


@dataclass(slots=True)
class PageRead:
    """What the engine keeps of one page object: its record, decoded on arrival.

    Large reads return tens of thousands of pages; decoding each one as its batch
    arrives keeps only the records in memory, never the page objects.
    """

    id: str
    trashed: bool
    decoded: Decoded | None


@dataclass(slots=True)
class SchemaSeen:
    """The properties one page object showed: decoded id -> (name, type)."""

    props: dict[str, tuple[str, str]]


class PageDecoder:
    """Decodes the pages of one data source with the binding of the moment."""

    def __init__(
        self,
        db: str,
        binding: DatabaseBinding,
        zone: ZoneInfo,
        stamp_keys: tuple[str, ...],
    ) -> None:
        self.db = db
        self.binding = binding
        self.zone = zone
        self.stamp_keys = stamp_keys
        self.seen: SchemaSeen | None = None

    def read(self, page: P.Json) -> PageRead:
        """One page object as the engine keeps it."""
        if self.seen is None:
            self.seen = SchemaSeen(
                {
                    key: (name, str(P.by_id(page)[key].get("type")))
                    for key, name in P.names_by_id(page).items()
                }
            )
        page_id = P.normalize_id(str(page["id"]))
        if page.get("in_trash") or page.get("archived"):
            return PageRead(page_id, True, None)
        decoded = decode_page(self.db, page, self.binding, self.zone, self.stamp_keys)
        return PageRead(page_id, False, decoded)

    def shrink(self, page: P.Json) -> P.Json:
        """What the gateway keeps of each page while it paginates."""
        return {
            "id": page.get("id"),
            "created_time": page.get("created_time"),
            "read": self.read(page),
        }


@dataclass(slots=True)
class SourceRead:
    """The pages one data source returned, and where its next poll starts."""

    db: str
    pages: list[PageRead]
    complete_read: bool
    next_cursor: datetime | None
    seen: SchemaSeen | None
    binding: DatabaseBinding
    """The binding the pages were decoded with."""


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
    zone: ZoneInfo,
    stamp_keys: tuple[str, ...],
) -> Reads:
    """Query the four data sources, concurrently: all pages or what changed."""

    def read(db: str) -> SourceRead:
        return read_source(
            gateway,
            db,
            binding.database(db),
            cursors.get(db, Cursor(since=None, cold_done=False)),
            full=full,
            zone=zone,
            stamp_keys=stamp_keys,
        )

    reads = Reads()
    for source in gateway.map(read, DATABASES):
        reads.sources[source.db] = source
    return reads


def read_source(
    gateway: NotionGateway,
    db: str,
    binding: DatabaseBinding,
    cursor: Cursor,
    *,
    full: bool,
    zone: ZoneInfo,
    stamp_keys: tuple[str, ...],
) -> SourceRead:
    """Query one data source: every page, or those edited since the cursor."""
    whole = full or not cursor.cold_done or cursor.since is None
    query_filter = None if whole or cursor.since is None else poll_filter(cursor.since)
    decoder = PageDecoder(db, binding, zone, stamp_keys)
    wanted = [prop.id for prop in binding.properties.values()]
    try:
        result = gateway.query_data_source(
            binding.data_source_id,
            filter=query_filter,
            filter_properties=wanted,
            shrink=decoder.shrink,
        )
    except InvalidRequestError as exc:
        # Only the properties the engine reads are asked for. Should Notion refuse
        # one of them (deleted meanwhile), read everything: the pages then show
        # the drift, and the schema is read again.
        logger.info("%s: query with its properties refused (%s)", db, exc.message)
        decoder = PageDecoder(db, binding, zone, stamp_keys)
        result = gateway.query_data_source(
            binding.data_source_id, filter=query_filter, shrink=decoder.shrink
        )
    logger.debug(
        "%s: %d pages read (%s)", db, len(result.results), "all" if whole else "changes"
    )
    return SourceRead(
        db=db,
        pages=[item["read"] for item in result.results],
        complete_read=whole,
        next_cursor=next_cursor(result, cursor.since),
        seen=decoder.seen,
        binding=binding,
    )


WATCHED_OPTIONS: dict[str, tuple[str, ...]] = {
    "opportunities": ("stage",),
    "companies": ("status",),
}
"""Select properties whose option ids the engine computes with, per database."""


def drift_seen(
    db: str, binding: DatabaseBinding, seen: SchemaSeen | None, pages: list[PageRead]
) -> str | None:
    """Why the pages a query returned show a schema other than the binding's.

    Every page of a query carries every property the query asked for, so the first
    page tells which of them still exist and what they are called now; option ids
    are checked on every record. None when nothing differs (then no schema is
    read).
    """
    if seen is None:
        return None
    first = seen.props
    known = {P.property_key(p.id) for p in binding.properties.values()}
    others = {P.property_key(i) for i in binding.other_ids}
    if set(first) - known - others:
        return "a property the engine does not know"
    if known - set(first):
        return "a property is missing"
    for key, prop in binding.properties.items():
        name, kind = first[P.property_key(prop.id)]
        if nfc(name) != nfc(prop.name):
            return f"{key} was renamed"
        if kind != prop.type:
            return f"{key} changed type"
    for key in WATCHED_OPTIONS.get(db, ()):
        watched = binding.properties.get(key)
        if watched is not None and _unknown_option(pages, key, watched.options):
            return f"an unknown {key} option"
    return None


def _unknown_option(pages: list[PageRead], key: str, options: dict[str, str]) -> bool:
    known = set(options.values())
    for page in pages:
        option = getattr(page.decoded.record, key, None) if page.decoded else None
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
