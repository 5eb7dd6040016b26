"""Notion property values, read and written: the one module that knows their JSON.

Reading takes a page object as Notion returns it and gives plain Python values;
writing takes plain values and gives the JSON Notion expects in ``properties``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

Json = dict[str, Any]

UNTITLED = "Untitled"
MAX_TEXT_CHUNK = 2000
MAX_TEXT_ITEMS = 100


@dataclass(frozen=True, slots=True)
class RelationValue:
    """Related page ids; ``complete`` is False when Notion cut the list at 25."""

    ids: tuple[str, ...]
    complete: bool


def normalize_id(value: str) -> str:
    """A Notion id in its dashed, lowercase form."""
    raw = value.replace("-", "").lower()
    if len(raw) != 32:
        return value.lower()
    return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"


@lru_cache(maxsize=4096)
def property_key(prop_id: str) -> str:
    """A property id as Notion's responses encode it, decoded once."""
    return unquote(prop_id)


def by_id(page: Json) -> dict[str, Json]:
    """The page's property values keyed by decoded property id."""
    values = page.get("properties") or {}
    return {property_key(v["id"]): v for v in values.values() if isinstance(v, dict)}


def names_by_id(page: Json) -> dict[str, str]:
    """Decoded property id -> the property's current name in this page object."""
    values = page.get("properties") or {}
    return {
        property_key(v["id"]): name for name, v in values.items() if isinstance(v, dict)
    }


def plain_text(items: list[Json] | None) -> str:
    """All segments of a rich text array joined (field report F13)."""
    return "".join(str(item.get("plain_text") or "") for item in items or [])


def read_title(value: Json | None) -> str:
    """A title's text; an empty title reads as "Untitled"."""
    text = plain_text((value or {}).get("title")).strip()
    return text or UNTITLED


def read_number(value: Json | None) -> Decimal | None:
    """A number as an exact Decimal (None when empty)."""
    number = (value or {}).get("number")
    if number is None or isinstance(number, bool):
        return None
    return Decimal(str(number))


def read_select(value: Json | None) -> str | None:
    """The selected option's id."""
    selected = (value or {}).get("select")
    return str(selected["id"]) if isinstance(selected, dict) else None


def read_checkbox(value: Json | None) -> bool:
    return bool((value or {}).get("checkbox"))


def read_date(value: Json | None, zone: ZoneInfo) -> date | None:
    """The start of a date value as a calendar date in ``zone``."""
    content = (value or {}).get("date")
    if not isinstance(content, dict) or not content.get("start"):
        return None
    return to_local_date(str(content["start"]), zone)


def to_local_date(text: str, zone: ZoneInfo) -> date:
    """A Notion date or datetime string as a date in ``zone``."""
    if "T" not in text:
        return date.fromisoformat(text)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(zone).date()


def read_relation(value: Json | None) -> RelationValue:
    """Related ids as the page object holds them, and whether that is all of them."""
    content = value or {}
    items = content.get("relation") or []
    ids = tuple(normalize_id(str(item["id"])) for item in items)
    return RelationValue(ids=ids, complete=not content.get("has_more", False))


def parse_timestamp(text: str) -> datetime:
    """A Notion timestamp (``created_time``, ``last_edited_time``) as a datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# -- writing ---------------------------------------------------------------------


def number_value(value: Decimal | int | None) -> Json:
    if value is None:
        return {"number": None}
    as_int = int(value)
    return {"number": as_int if as_int == value else float(value)}


def date_value(value: date | None) -> Json:
    return {"date": {"start": value.isoformat()} if value else None}


def select_value(option_id: str | None) -> Json:
    return {"select": {"id": option_id} if option_id else None}


def checkbox_value(value: bool) -> Json:
    return {"checkbox": value}


def relation_value(ids: list[str]) -> Json:
    return {"relation": [{"id": i} for i in ids]}


def rich_text(text: str) -> list[Json]:
    """Text as rich text items of at most 2,000 characters (field report F12)."""
    chunks = [text[i : i + MAX_TEXT_CHUNK] for i in range(0, len(text), MAX_TEXT_CHUNK)]
    if len(chunks) > MAX_TEXT_ITEMS:
        raise ValueError(
            f"text of {len(text)} characters exceeds Notion's "
            f"{MAX_TEXT_CHUNK * MAX_TEXT_ITEMS} per property"
        )
    return [{"type": "text", "text": {"content": chunk}} for chunk in chunks]


def title_value(text: str) -> Json:
    return {"title": rich_text(text)}


def text_value(text: str) -> Json:
    return {"rich_text": rich_text(text)}


def same_value(kind: str, held: Any, wanted: Any) -> bool:
    """Compare as Notion means it: numbers as numbers, dates as dates."""
    if kind == "number":
        return (held is None) == (wanted is None) and (
            held is None or Decimal(held) == Decimal(wanted)
        )
    return bool(held == wanted)


def lookup(values: Mapping[str, Json], prop_id: str | None) -> Json | None:
    """A property value by id, or None when the page lacks it."""
    if prop_id is None:
        return None
    return values.get(property_key(prop_id))
