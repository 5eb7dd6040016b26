"""Page objects from Notion into the engine's typed records, through the binding."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from notion_crm.notion import properties as P
from notion_crm.schema.binding import DatabaseBinding
from notion_crm.store.codec import Record
from notion_crm.sync.records import Company, Contact, Interaction, Opportunity

SMALL_SIDES: dict[str, tuple[str, ...]] = {
    "contacts": ("company",),
    "opportunities": ("company", "contacts"),
    "interactions": ("company", "contacts", "opportunity"),
}
"""Relations the engine computes from: the side of each pair that holds few ids."""

MANY_SIDES: dict[str, tuple[str, ...]] = {
    "companies": ("contacts", "opportunities", "interactions"),
    "contacts": ("opportunities", "interactions"),
    "opportunities": ("interactions",),
}
"""The other side of each pair, watched only to notice edits made from it."""


@dataclass(slots=True)
class Decoded:
    """A record and what reading it revealed."""

    record: Record
    last_edited_time: str
    incomplete: tuple[str, ...]
    """Relation keys whose list Notion cut at 25 items."""


def decode_page(
    db: str,
    page: P.Json,
    binding: DatabaseBinding,
    zone: ZoneInfo,
    stamp_keys: tuple[str, ...],
) -> Decoded:
    """Decode one page of database ``db``."""
    values = P.by_id(page)
    page_id = P.normalize_id(str(page["id"]))
    incomplete: list[str] = []

    def value(key: str) -> P.Json | None:
        return P.lookup(values, binding.property_id(key))

    def relation(key: str) -> tuple[str, ...]:
        found = P.read_relation(value(key))
        if not found.complete:
            incomplete.append(key)
        return found.ids

    name = P.read_title(value("name"))
    record: Record
    if db == "companies":
        record = Company(
            id=page_id,
            name=name,
            status=P.read_select(value("status")),
            active_projects=P.read_number(value("active_projects")),
            signed_revenue=P.read_number(value("signed_revenue")),
            potential_revenue=P.read_number(value("potential_revenue")),
            last_interaction=P.read_date(value("last_interaction"), zone),
            next_interaction=P.read_date(value("next_interaction"), zone),
            contacts=relation("contacts"),
            opportunities=relation("opportunities"),
            interactions=relation("interactions"),
        )
    elif db == "contacts":
        record = Contact(
            id=page_id,
            name=name,
            company=relation("company"),
            opportunities=relation("opportunities"),
            interactions=relation("interactions"),
            last_interaction=P.read_date(value("last_interaction"), zone),
        )
    elif db == "opportunities":
        record = Opportunity(
            id=page_id,
            name=name,
            company=relation("company"),
            contacts=relation("contacts"),
            stage=P.read_select(value("stage")),
            amount=P.read_number(value("amount")),
            stage_dates={k: P.read_date(value(k), zone) for k in stamp_keys},
            interactions=relation("interactions"),
            last_interaction=P.read_date(value("last_interaction"), zone),
            needs_follow_up=P.read_checkbox(value("needs_follow_up")),
            created_time=P.parse_timestamp(str(page["created_time"])),
            last_edited_time=P.parse_timestamp(str(page["last_edited_time"])),
        )
    else:
        record = Interaction(
            id=page_id,
            name=name,
            date=P.read_date(value("date"), zone),
            company=relation("company"),
            contacts=relation("contacts"),
            opportunity=relation("opportunity"),
        )
    return Decoded(record, str(page["last_edited_time"]), tuple(incomplete))


def set_relation(record: Record, key: str, ids: tuple[str, ...]) -> None:
    """Replace a relation list of ``record`` with its complete value."""
    setattr(record, key, ids)
