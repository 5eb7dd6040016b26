"""Identifiers and timestamps in the shapes Notion uses.

Object ids are UUIDs, accepted with or without dashes and always returned dashed and
lowercase. Property ids are short opaque strings kept decoded in memory and shown
URL-encoded in responses. Pages, blocks and data sources carry minute-rounded
timestamps (``…:00.000Z``); databases and views keep milliseconds (``…+00:00``).
"""

from __future__ import annotations

import random
import re
import uuid
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import quote, unquote

_HEX32 = re.compile(r"^[0-9a-fA-F]{32}$")
_PROP_ID_CHARS = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    "<>:;=?@[]^_`{|}~!$&()*+,"
)


def new_uuid(rng: random.Random) -> str:
    """A fresh dashed lowercase UUID drawn from ``rng`` (repeatable under a seed)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def normalize_id(raw: str) -> str | None:
    """The dashed lowercase form of ``raw``, or None when it is not a UUID."""
    compact = raw.strip().replace("-", "")
    if not _HEX32.match(compact):
        return None
    compact = compact.lower()
    return (
        f"{compact[:8]}-{compact[8:12]}-{compact[12:16]}-"
        f"{compact[16:20]}-{compact[20:]}"
    )


def compact_id(object_id: str) -> str:
    """The id without dashes, as Notion puts it in URLs."""
    return object_id.replace("-", "")


def new_property_id(rng: random.Random, taken: set[str]) -> str:
    """A 4-character property id, decoded, not already in ``taken``."""
    while True:
        candidate = "".join(rng.choice(_PROP_ID_CHARS) for _ in range(4))
        if candidate not in taken and candidate != "title":
            return candidate


def encode_property_id(prop_id: str) -> str:
    """The URL-encoded form Notion returns for a property id."""
    return quote(prop_id, safe="")


def decode_property_id(raw: str) -> str:
    """Decode a property id once."""
    return unquote(raw)


def floor_minute(moment: datetime) -> datetime:
    """``moment`` rounded down to the minute, in UTC."""
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


def fmt_minute(moment: datetime) -> str:
    """Format as pages and blocks show it: ``2026-07-04T09:08:00.000Z``."""
    return floor_minute(moment).strftime("%Y-%m-%dT%H:%M:00.000Z")


def fmt_millis(moment: datetime) -> str:
    """Format as databases and views show it: ``2026-07-04T09:08:53.017+00:00``."""
    value = moment.astimezone(UTC)
    return (
        value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+00:00"
    )


def fmt_http_date(moment: datetime) -> str:
    """RFC 7231 ``Date`` header value."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 date or datetime; naive values are UTC. Raises ValueError."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def page_url(title: str, page_id: str) -> str:
    """The app URL of a page, with the title slug Notion puts in front of the id."""
    slug = re.sub(r"[^0-9A-Za-z]+", "-", title).strip("-")
    tail = compact_id(page_id)
    return (
        f"https://app.notion.com/p/{slug}-{tail}"
        if slug
        else (f"https://app.notion.com/p/{tail}")
    )
