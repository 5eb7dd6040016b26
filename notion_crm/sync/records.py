"""Typed records of the four data sources, as the engine sees them.

A record holds what Notion returned for the properties the engine reads: relations as
page ids (complete, never the 25-item cut), select values as option ids, dates as
``date`` in the configured time zone, money as ``Decimal``. Records are built by
:mod:`notion_crm.sync.decode` and kept in the state store's mirror.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

Ids = tuple[str, ...]


@dataclass(slots=True)
class Company:
    """A row of Companies, with the values the engine owns as Notion holds them."""

    id: str
    name: str = ""
    status: str | None = None
    active_projects: Decimal | None = None
    signed_revenue: Decimal | None = None
    potential_revenue: Decimal | None = None
    last_interaction: date | None = None
    next_interaction: date | None = None
    contacts: Ids = ()
    opportunities: Ids = ()
    interactions: Ids = ()


@dataclass(slots=True)
class Contact:
    """A row of Contacts."""

    id: str
    name: str = ""
    company: Ids = ()
    opportunities: Ids = ()
    interactions: Ids = ()
    last_interaction: date | None = None


@dataclass(slots=True)
class Opportunity:
    """A row of Opportunities; ``stage`` is the select option id."""

    id: str
    name: str = ""
    company: Ids = ()
    contacts: Ids = ()
    stage: str | None = None
    amount: Decimal | None = None
    stage_dates: dict[str, date | None] = field(default_factory=dict)
    interactions: Ids = ()
    last_interaction: date | None = None
    needs_follow_up: bool = False
    created_time: datetime | None = None
    last_edited_time: datetime | None = None


@dataclass(slots=True)
class Interaction:
    """A row of Interactions; ``date`` is the start of its Date, in the time zone."""

    id: str
    name: str = ""
    date: date | None = None
    company: Ids = ()
    contacts: Ids = ()
    opportunity: Ids = ()


@dataclass(slots=True)
class Snapshot:
    """Every live (not trashed) record, keyed by page id."""

    companies: dict[str, Company] = field(default_factory=dict)
    contacts: dict[str, Contact] = field(default_factory=dict)
    opportunities: dict[str, Opportunity] = field(default_factory=dict)
    interactions: dict[str, Interaction] = field(default_factory=dict)
