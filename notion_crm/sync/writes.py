"""Planning the cycle's writes: owned values that differ from what Notion holds.

The engine writes only the properties it owns, only where the value differs (numbers
compared as numbers, dates as dates), and each page at most once per cycle, with all
its changed values in one request (field report F22: never re-send what it read).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from notion_crm.notion import properties as P
from notion_crm.schema.binding import Binding
from notion_crm.store.codec import Record
from notion_crm.sync.compute import Computed
from notion_crm.sync.records import Company, Contact, Opportunity
from notion_crm.sync.report import Change

OWNED: dict[str, tuple[str, ...]] = {
    "companies": (
        "status",
        "active_projects",
        "signed_revenue",
        "potential_revenue",
        "last_interaction",
        "next_interaction",
    ),
    "contacts": ("last_interaction",),
    "opportunities": ("last_interaction", "needs_follow_up"),
}
"""Properties the engine recomputes, per database (stage dates come on top)."""

KINDS: dict[str, str] = {
    "status": "select",
    "active_projects": "number",
    "signed_revenue": "number",
    "potential_revenue": "number",
    "last_interaction": "date",
    "next_interaction": "date",
    "needs_follow_up": "checkbox",
}


@dataclass(slots=True)
class PageWrite:
    """One PATCH: the owned values of one page that must change."""

    db: str
    page_id: str
    page_name: str
    values: dict[str, Any] = field(default_factory=dict)
    """Property key -> the new plain value (date, Decimal, option id, bool)."""
    before: dict[str, Any] = field(default_factory=dict)

    def body(self, binding: Binding) -> dict[str, Any]:
        """The request body, keyed by property id so renames do not matter."""
        props = binding.database(self.db).properties
        encoded: dict[str, Any] = {}
        for key, value in self.values.items():
            encoded[props[key].id] = encode(KINDS.get(key, "date"), value)
        return {"properties": encoded}

    def changes(self) -> list[Change]:
        return [
            Change(
                self.db,
                self.page_id,
                self.page_name,
                key,
                _show(self.before[key]),
                _show(v),
            )
            for key, v in self.values.items()
        ]


def encode(kind: str, value: Any) -> dict[str, Any]:
    """A plain value as Notion's write JSON."""
    if kind == "select":
        return P.select_value(value)
    if kind == "number":
        return P.number_value(value)
    if kind == "checkbox":
        return P.checkbox_value(bool(value))
    return P.date_value(value)


def plan_writes(
    mirror: Mapping[str, Mapping[str, Record]],
    computed: Computed,
    stamps: Mapping[str, dict[str, date]],
    *,
    writable: Callable[[str, str, str], bool],
) -> list[PageWrite]:
    """Writes that bring Notion to the computed values.

    ``writable(db, page_id, key)`` says whether a property may be written now (it
    exists in Notion and no earlier write of it failed for good).
    """
    writes: list[PageWrite] = []
    for page_id, values in computed.companies.items():
        company = mirror["companies"].get(page_id)
        if isinstance(company, Company):
            _add(writes, "companies", company, _as_dict(values), writable)
    for page_id, contact_values in computed.contacts.items():
        contact = mirror["contacts"].get(page_id)
        if isinstance(contact, Contact):
            _add(writes, "contacts", contact, _as_dict(contact_values), writable)
    for page_id, opp_values in computed.opportunities.items():
        opp = mirror["opportunities"].get(page_id)
        if isinstance(opp, Opportunity):
            wanted = _as_dict(opp_values) | _due_stamps(opp, stamps.get(page_id, {}))
            _add(writes, "opportunities", opp, wanted, writable)
    return writes


def _due_stamps(opp: Opportunity, stamps: Mapping[str, date]) -> dict[str, date]:
    """Stage dates still to fill: a date already in Notion is never overwritten."""
    return {k: v for k, v in stamps.items() if opp.stage_dates.get(k) is None}


def _add(
    writes: list[PageWrite],
    db: str,
    record: Record,
    wanted: dict[str, Any],
    writable: Callable[[str, str, str], bool],
) -> None:
    write = PageWrite(db, record.id, record.name)
    for key, value in wanted.items():
        held = held_value(record, key)
        if same(KINDS.get(key, "date"), held, value) or not writable(
            db, record.id, key
        ):
            continue
        write.values[key] = value
        write.before[key] = held
    if write.values:
        writes.append(write)


def held_value(record: Record, key: str) -> Any:
    """What Notion holds for an owned key, as last read."""
    if isinstance(record, Opportunity) and key in record.stage_dates:
        return record.stage_dates[key]
    return getattr(record, key)


def apply_written(record: Record, values: Mapping[str, Any]) -> None:
    """Record in the mirror that Notion now holds ``values``."""
    for key, value in values.items():
        if isinstance(record, Opportunity) and key in record.stage_dates:
            record.stage_dates[key] = value
        elif isinstance(value, int | float) and not isinstance(value, bool):
            setattr(record, key, Decimal(value))
        else:
            setattr(record, key, value)


def same(kind: str, held: Any, wanted: Any) -> bool:
    """Equal as Notion means it (numbers as numbers, dates as dates)."""
    if kind == "number":
        if held is None or wanted is None:
            return held is None and wanted is None
        return Decimal(held) == Decimal(wanted)
    if kind == "checkbox":
        return bool(held) == bool(wanted)
    return bool(held == wanted)


def _as_dict(values: object) -> dict[str, Any]:
    return {name: getattr(values, name) for name in values.__slots__}  # type: ignore[attr-defined]


def _show(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
