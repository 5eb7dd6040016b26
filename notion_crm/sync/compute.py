"""Pure computation of the values the engine owns on pages (product contract, §3).

``compute()`` takes a :class:`~notion_crm.sync.records.Snapshot` of live records and
returns, for every company, contact and opportunity, the values Notion should hold:
Status, Active projects, Signed and Potential revenue, Last/Next interaction and Needs
follow-up. It does no I/O and knows nothing of Notion's JSON or of the state store, so
the engine can call it on every cycle and tests can call it on hand-built records.

Relations are followed only from their small side (``Opportunity.company``,
``Contact.company``, ``Interaction.company/contacts/opportunity``). The many side, as a
page object shows it, is cut at 25 items (field reports F6, F7); records keep it for
change detection only. Ids of pages absent from the snapshot (trashed or unknown) are
ignored. The work is O(n): inverse indexes are built once, then every record is
visited a bounded number of times.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import MAX_PREC, Context, Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from notion_crm.schema.model import Role, Schema
from notion_crm.sync.records import Interaction, Opportunity, Snapshot

StatusKey = Literal["prospect", "client", "former_client"]
STATUS_KEYS: tuple[StatusKey, ...] = ("prospect", "client", "former_client")
"""The company statuses, by the keys ``schemas/crm.toml`` gives their options."""

WON_ROLES: frozenset[Role] = frozenset({"won_active", "won_done"})
"""Roles of the stages that make a company a client (while they hold)."""

DEFAULT_ZONE = ZoneInfo("Europe/Paris")
"""Time zone of ``crm.timezone`` when the configuration does not set one."""

DEFAULT_STAGE_DATE_KEYS = ("quote_sent_on", "started_on", "completed_on", "closed_on")
"""Keys of ``Opportunity.stage_dates``, as ``schemas/rules.toml`` names them."""

_EXACT = Context(prec=MAX_PREC)
"""Decimal context for sums: at this precision an addition never rounds."""

_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Rules:
    """The parameters of every computed value, built once per cycle by the engine.

    Stages and statuses are referred to by Notion option id, so renaming an option in
    Notion changes nothing. A stage option absent from ``roles`` has no role and counts
    in no figure. ``zone`` turns ``created_time`` instants into dates (field report
    F14: a date-only value must be the date in the configured time zone, not in UTC).
    """

    roles: Mapping[str, Role]
    status_ids: Mapping[str, str]
    former_client_after_days: int = 365
    follow_up_after_days: int = 7
    stage_date_keys: tuple[str, ...] = DEFAULT_STAGE_DATE_KEYS
    completed_on_key: str = "completed_on"
    zone: ZoneInfo = DEFAULT_ZONE

    def __post_init__(self) -> None:
        missing = [key for key in STATUS_KEYS if key not in self.status_ids]
        if missing:
            raise ValueError(f"status_ids lacks the option id of {', '.join(missing)}")
        if self.former_client_after_days < 0 or self.follow_up_after_days < 0:
            raise ValueError("day thresholds must be zero or more")

    @classmethod
    def from_schema(
        cls,
        schema: Schema,
        *,
        stage_ids: Mapping[str, str],
        status_ids: Mapping[str, str],
        former_client_after_days: int | None = None,
        follow_up_after_days: int | None = None,
        zone: ZoneInfo = DEFAULT_ZONE,
    ) -> Rules:
        """Build rules from the schema and the option ids found in the workspace.

        ``stage_ids`` and ``status_ids`` map option keys (``quote_sent``, ``client``)
        to Notion option ids; a stage key missing from ``stage_ids`` gets no role.
        Day thresholds default to ``rules.toml``'s ``[defaults]``.
        """
        defaults = schema.rules.defaults
        roles = {
            stage_ids[option.key]: option.role
            for option in schema.stage.options
            if option.role is not None and option.key in stage_ids
        }
        return cls(
            roles=roles,
            status_ids=dict(status_ids),
            former_client_after_days=_or(
                former_client_after_days, defaults.former_client_after_days
            ),
            follow_up_after_days=_or(
                follow_up_after_days, defaults.follow_up_after_days
            ),
            stage_date_keys=tuple(schema.rules.stage_dates.values()),
            completed_on_key=_completed_on_key(schema),
            zone=zone,
        )

    def role_of(self, opportunity: Opportunity) -> Role | None:
        """The role of the opportunity's stage; None without stage or role."""
        if opportunity.stage is None:
            return None
        return self.roles.get(opportunity.stage)

    def status_key(self, option_id: str) -> StatusKey | None:
        """The status key of a company Status option id; None if it is not one."""
        for key in STATUS_KEYS:
            if self.status_ids[key] == option_id:
                return key
        return None


@dataclass(frozen=True, slots=True)
class CompanyValues:
    """What a company's owned properties should hold; ``status`` is an option id."""

    status: str
    active_projects: int
    signed_revenue: Decimal
    potential_revenue: Decimal
    last_interaction: date | None
    next_interaction: date | None


@dataclass(frozen=True, slots=True)
class ContactValues:
    """What a contact's owned properties should hold."""

    last_interaction: date | None


@dataclass(frozen=True, slots=True)
class OpportunityValues:
    """What an opportunity's computed properties should hold (stage dates aside)."""

    last_interaction: date | None
    needs_follow_up: bool


@dataclass(frozen=True, slots=True)
class Computed:
    """The values of every live page, keyed by page id."""

    companies: dict[str, CompanyValues]
    contacts: dict[str, ContactValues]
    opportunities: dict[str, OpportunityValues]


def compute(
    snapshot: Snapshot,
    rules: Rules,
    *,
    today: date,
    last_stage_change: Mapping[str, date],
) -> Computed:
    """Compute the owned values of every company, contact and opportunity.

    ``today`` is the current date in the configured time zone. ``last_stage_change``
    maps opportunity ids to the date of their latest recorded transition; those it
    lacks fall back on their stage dates, then on their creation date.
    """
    dates = _interaction_dates(snapshot, today)
    by_company = _opportunities_by_company(snapshot)

    companies = {
        company_id: _company_values(
            company_id, by_company.get(company_id, ()), rules, today, dates.companies
        )
        for company_id in snapshot.companies
    }
    contacts = {
        contact_id: ContactValues(last_interaction=dates.contacts.last.get(contact_id))
        for contact_id in snapshot.contacts
    }
    opportunities = {
        opp.id: _opportunity_values(opp, rules, today, dates, last_stage_change)
        for opp in snapshot.opportunities.values()
    }
    return Computed(companies, contacts, opportunities)


def stage_changed_on(
    opportunity: Opportunity, rules: Rules, recorded: Mapping[str, date]
) -> date | None:
    """The date of the opportunity's last stage change, as best known.

    The recorded transition wins; on a cold start, when none is recorded, the latest
    stage date stands for it, else the creation date in the rules' time zone.
    """
    known = recorded.get(opportunity.id)
    if known is not None:
        return known

    stamped = [
        day
        for key in rules.stage_date_keys
        if (day := opportunity.stage_dates.get(key)) is not None
    ]
    if stamped:
        return max(stamped)

    if opportunity.created_time is None:
        return None
    return local_date(opportunity.created_time, rules.zone)


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    """The calendar date of an instant in ``zone``; a naive instant is taken as UTC."""
    aware = instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)
    return aware.astimezone(zone).date()


def within_days(day: date | None, today: date, days: int) -> bool:
    """Whether ``day`` is at most ``days`` days before ``today``, inclusive.

    A date after today counts as within: it is not older than the limit.
    """
    return day is not None and (today - day).days <= days


def exact_sum(amounts: Iterable[Decimal | None]) -> Decimal:
    """Add amounts exactly, whatever the ambient decimal context.

    An empty Amount (None) adds nothing; zero is a real zero (field report F15).
    """
    total = _ZERO
    for amount in amounts:
        if amount is not None:
            total = _EXACT.add(total, amount)
    return total


@dataclass(slots=True)
class _Extremes:
    """Per page id, the latest date not after today and the earliest one after it."""

    today: date
    last: dict[str, date] = field(default_factory=dict)
    next: dict[str, date] = field(default_factory=dict)

    def add(self, page_id: str, day: date) -> None:
        if day <= self.today:
            known = self.last.get(page_id)
            if known is None or day > known:
                self.last[page_id] = day
            return

        known = self.next.get(page_id)
        if known is None or day < known:
            self.next[page_id] = day


@dataclass(slots=True)
class _InteractionDates:
    """Interaction date extremes of companies, contacts and opportunities."""

    companies: _Extremes
    contacts: _Extremes
    opportunities: _Extremes


def _interaction_dates(snapshot: Snapshot, today: date) -> _InteractionDates:
    # One pass over interactions; max/min are idempotent, so an interaction reached
    # twice (directly and through a contact) cannot count twice.
    dates = _InteractionDates(_Extremes(today), _Extremes(today), _Extremes(today))
    for interaction in snapshot.interactions.values():
        day = interaction.date
        if day is None:
            continue

        for company_id in _companies_reached(interaction, snapshot):
            dates.companies.add(company_id, day)
        for contact_id in interaction.contacts:
            if contact_id in snapshot.contacts:
                dates.contacts.add(contact_id, day)
        for opportunity_id in interaction.opportunity:
            if opportunity_id in snapshot.opportunities:
                dates.opportunities.add(opportunity_id, day)
    return dates


def _companies_reached(interaction: Interaction, snapshot: Snapshot) -> set[str]:
    reached = set(interaction.company)
    for contact_id in interaction.contacts:
        contact = snapshot.contacts.get(contact_id)
        if contact is not None:
            reached.update(contact.company)
    for opportunity_id in interaction.opportunity:
        opportunity = snapshot.opportunities.get(opportunity_id)
        if opportunity is not None:
            reached.update(opportunity.company)
    return {company_id for company_id in reached if company_id in snapshot.companies}


def _opportunities_by_company(snapshot: Snapshot) -> dict[str, list[Opportunity]]:
    index: defaultdict[str, list[Opportunity]] = defaultdict(list)
    for opportunity in snapshot.opportunities.values():
        # dict.fromkeys drops a company listed twice while keeping the order.
        for company_id in dict.fromkeys(opportunity.company):
            index[company_id].append(opportunity)
    return index


def _company_values(
    company_id: str,
    opportunities: Iterable[Opportunity],
    rules: Rules,
    today: date,
    dates: _Extremes,
) -> CompanyValues:
    roled = [(rules.role_of(opp), opp) for opp in opportunities]
    return CompanyValues(
        status=rules.status_ids[_status_key(roled, rules, today)],
        active_projects=sum(1 for role, _ in roled if role == "won_active"),
        signed_revenue=exact_sum(
            opp.amount for role, opp in roled if role in WON_ROLES
        ),
        potential_revenue=exact_sum(
            opp.amount for role, opp in roled if role == "proposal"
        ),
        last_interaction=dates.last.get(company_id),
        next_interaction=dates.next.get(company_id),
    )


def _status_key(
    roled: Iterable[tuple[Role | None, Opportunity]], rules: Rules, today: date
) -> StatusKey:
    has_won = False
    for role, opportunity in roled:
        if role not in WON_ROLES:
            continue

        has_won = True
        if role == "won_active" or _completion_recent(opportunity, rules, today):
            return "client"
    return "former_client" if has_won else "prospect"


def _completion_recent(opportunity: Opportunity, rules: Rules, today: date) -> bool:
    # An empty Completed on keeps the client: the project's end is not known yet.
    completed = opportunity.stage_dates.get(rules.completed_on_key)
    if completed is None:
        return True
    return within_days(completed, today, rules.former_client_after_days)


def _opportunity_values(
    opportunity: Opportunity,
    rules: Rules,
    today: date,
    dates: _InteractionDates,
    recorded: Mapping[str, date],
) -> OpportunityValues:
    last_interaction = dates.opportunities.last.get(opportunity.id)
    return OpportunityValues(
        last_interaction=last_interaction,
        needs_follow_up=_needs_follow_up(
            opportunity, rules, today, last_interaction, recorded
        ),
    )


def _needs_follow_up(
    opportunity: Opportunity,
    rules: Rules,
    today: date,
    last_interaction: date | None,
    recorded: Mapping[str, date],
) -> bool:
    # last_interaction is never after today, so a future interaction is not recent.
    if rules.role_of(opportunity) != "proposal":
        return False

    days = rules.follow_up_after_days
    if within_days(last_interaction, today, days):
        return False
    return not within_days(stage_changed_on(opportunity, rules, recorded), today, days)


def _completed_on_key(schema: Schema) -> str:
    stage_dates = schema.rules.stage_dates
    for option in schema.stage.options:
        if option.role == "won_done" and option.key in stage_dates:
            return stage_dates[option.key]
    return "completed_on"


def _or(value: int | None, default: int) -> int:
    return default if value is None else value
