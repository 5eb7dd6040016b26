"""JSON encoding of the engine's records for the state store's mirror."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from notion_crm.sync.records import Company, Contact, Interaction, Opportunity

Record = Company | Contact | Opportunity | Interaction

RECORD_TYPES: dict[str, type[Record]] = {
    "companies": Company,
    "contacts": Contact,
    "opportunities": Opportunity,
    "interactions": Interaction,
}

_DATE_FIELDS = {"last_interaction", "next_interaction", "date"}
_DATETIME_FIELDS = {"created_time", "last_edited_time"}
_DECIMAL_FIELDS = {"active_projects", "signed_revenue", "potential_revenue", "amount"}


def encode(record: Record) -> str:
    """The record as compact JSON."""
    data: dict[str, Any] = {}
    for item in fields(record):
        value = getattr(record, item.name)
        data[item.name] = _plain(value)
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def decode(db: str, text: str) -> Record:
    """The record of database ``db`` from its JSON."""
    data = json.loads(text)
    kind = RECORD_TYPES[db]
    values: dict[str, Any] = {}
    for key, value in data.items():
        values[key] = _typed(key, value)
    return kind(**values)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _typed(key: str, value: Any) -> Any:
    if value is None:
        return None
    if key in _DATE_FIELDS:
        return date.fromisoformat(value)
    if key in _DATETIME_FIELDS:
        return datetime.fromisoformat(value)
    if key in _DECIMAL_FIELDS:
        return Decimal(value)
    if key == "stage_dates":
        return {k: date.fromisoformat(v) if v else None for k, v in value.items()}
    if isinstance(value, list):
        return tuple(value)
    return value
