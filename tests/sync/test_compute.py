"""Tests of notion_crm.sync.compute: every expected value is worked out by hand.

Today is Sunday 15 June 2025 throughout; "N days ago" comments give the date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, localcontext
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notion_crm.schema.loader import load_schema
from notion_crm.schema.model import Role
from notion_crm.sync.compute import (
    CompanyValues,
    Computed,
    ContactValues,
    OpportunityValues,
    Rules,
    compute,
    local_date,
    stage_changed_on,
    within_days,
)
from notion_crm.sync.records import (
    Company,
    Contact,
    Interaction,
    Opportunity,
    Snapshot,
)

TODAY = date(2025, 6, 15)
PARIS = ZoneInfo("Europe/Paris")

LEAD, QUOTING, PROPOSAL = "opt-lead", "opt-quoting", "opt-proposal"
FOLLOW_UP = "opt-follow-up"  # a second proposal stage
ACTIVE, DONE, LOST = "opt-launched", "opt-completed", "opt-refused"
NO_ROLE = "opt-no-role"  # an option a person added in Notion: it has no role

ROLES: dict[str, Role] = {
    LEAD: "lead",
    QUOTING: "quoting",
    PROPOSAL: "proposal",
    FOLLOW_UP: "proposal",
    ACTIVE: "won_active",
    DONE: "won_done",
    LOST: "lost",
}
PROSPECT, CLIENT, FORMER = "st-prospect", "st-client", "st-former"
RULES = Rules(
    roles=ROLES,
    status_ids={"prospect": PROSPECT, "client": CLIENT, "former_client": FORMER},
)
OLD = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)  # a creation time long ago


def ago(days: int) -> date:
    """The date ``days`` days before TODAY (negative: after it)."""
    return TODAY - timedelta(days=days)


def opp(
    opp_id: str,
    stage: str | None,
    *companies: str,
    amount: str | None = None,
    created: datetime | None = OLD,
    **stage_dates: date | None,
) -> Opportunity:
    """An opportunity; amounts are strings so that Decimals are exact."""
    return Opportunity(
        id=opp_id,
        stage=stage,
        company=companies,
        amount=None if amount is None else Decimal(amount),
        stage_dates=dict(stage_dates),
        created_time=created,
    )


def meeting(
    meeting_id: str,
    day: date | None,
    *,
    companies: tuple[str, ...] = (),
    contacts: tuple[str, ...] = (),
    opportunities: tuple[str, ...] = (),
) -> Interaction:
    """An interaction linked as given."""
    return Interaction(
        id=meeting_id,
        date=day,
        company=companies,
        contacts=contacts,
        opportunity=opportunities,
    )


def world(
    *records: Company | Contact | Opportunity | Interaction,
) -> Snapshot:
    """A snapshot holding the given records, each in its data source."""
    snap = Snapshot()
    for record in records:
        if isinstance(record, Company):
            snap.companies[record.id] = record
        elif isinstance(record, Contact):
            snap.contacts[record.id] = record
        elif isinstance(record, Opportunity):
            snap.opportunities[record.id] = record
        else:
            snap.interactions[record.id] = record
    return snap


def run(
    snap: Snapshot,
    rules: Rules = RULES,
    recorded: Mapping[str, date] | None = None,
) -> Computed:
    """compute() at TODAY."""
    return compute(snap, rules, today=TODAY, last_stage_change=recorded or {})


def company_of(snap: Snapshot, company_id: str = "A") -> CompanyValues:
    """The computed values of one company."""
    return run(snap).companies[company_id]


# --- Company Status -------------------------------------------------------------


def test_compute_status_prospect_without_won_opportunities() -> None:
    # A has a lead, a quote and a lost deal: nothing won, so Prospect.
    # B has no opportunity at all: Prospect.
    snap = world(
        Company("A"),
        Company("B"),
        opp("o1", LEAD, "A"),
        opp("o2", PROPOSAL, "A"),
        opp("o3", LOST, "A", closed_on=ago(3)),
    )

    result = run(snap)

    assert result.companies["A"].status == PROSPECT
    assert result.companies["B"].status == PROSPECT


def test_compute_status_client_through_a_launched_project() -> None:
    # won_active makes a client whatever its dates say.
    snap = world(Company("A"), opp("o1", ACTIVE, "A", completed_on=ago(900)))

    assert company_of(snap).status == CLIENT


def test_compute_status_client_through_a_completed_project_without_end_date() -> None:
    # won_done with Completed on empty: the end is unknown, so still a client.
    snap = world(Company("A"), opp("o1", DONE, "A"))

    assert company_of(snap).status == CLIENT


@pytest.mark.parametrize(
    ("days_ago", "expected"),
    [
        pytest.param(0, CLIENT, id="completed-today"),
        pytest.param(100, CLIENT, id="100-days"),
        pytest.param(365, CLIENT, id="365-days-is-within"),  # 2024-06-15
        pytest.param(366, FORMER, id="366-days-is-former"),  # 2024-06-14
        pytest.param(-10, CLIENT, id="future-date-is-within"),
    ],
)
def test_compute_status_after_completion(days_ago: int, expected: str) -> None:
    snap = world(Company("A"), opp("o1", DONE, "A", completed_on=ago(days_ago)))

    assert company_of(snap).status == expected


def test_compute_status_mixed_won_opportunities() -> None:
    # A: one project completed 400 days ago, another 10 days ago -> Client.
    # B: one completed 400 days ago, plus a lost deal and an open quote -> Former
    #    client (it has won, and no won opportunity keeps it a client).
    snap = world(
        Company("A"),
        Company("B"),
        opp("o1", DONE, "A", completed_on=ago(400)),
        opp("o2", DONE, "A", completed_on=ago(10)),
        opp("o3", DONE, "B", completed_on=ago(400)),
        opp("o4", LOST, "B"),
        opp("o5", PROPOSAL, "B"),
    )

    result = run(snap)

    assert result.companies["A"].status == CLIENT
    assert result.companies["B"].status == FORMER


def test_compute_status_uses_the_configured_delay() -> None:
    # With former_client_after_days = 30: 30 days ago holds, 31 does not.
    rules = replace(RULES, former_client_after_days=30)
    snap = world(
        Company("A"),
        Company("B"),
        opp("o1", DONE, "A", completed_on=ago(30)),
        opp("o2", DONE, "B", completed_on=ago(31)),
    )

    result = run(snap, rules)

    assert result.companies["A"].status == CLIENT
    assert result.companies["B"].status == FORMER


# --- Counts and sums ------------------------------------------------------------


def test_compute_revenue_skips_empty_amounts_and_keeps_zero() -> None:
    # Signed = 1000 (active) + 250.50 (done) + nothing (done, empty) = 1250.50
    # Potential = 0 + 0.1 + 0.2 over proposals = 0.3 exactly (not 0.30000000000000004)
    # Lead 999 and lost 500 count in neither. Active projects = 1.
    snap = world(
        Company("A"),
        opp("o1", ACTIVE, "A", amount="1000"),
        opp("o2", DONE, "A", amount="250.50"),
        opp("o3", DONE, "A", amount=None),
        opp("o4", PROPOSAL, "A", amount="0"),
        opp("o5", PROPOSAL, "A", amount="0.1"),
        opp("o6", FOLLOW_UP, "A", amount="0.2"),
        opp("o7", LEAD, "A", amount="999"),
        opp("o8", LOST, "A", amount="500"),
    )

    values = company_of(snap)

    assert values.active_projects == 1
    assert values.signed_revenue == Decimal("1250.50")
    assert values.potential_revenue == Decimal("0.3")
    assert str(values.potential_revenue) == "0.3"


def test_compute_revenue_of_only_empty_amounts_is_zero() -> None:
    # A proposal with an empty Amount: potential 0, and no crash (F15).
    snap = world(Company("A"), opp("o1", PROPOSAL, "A"))

    values = company_of(snap)

    assert values.potential_revenue == Decimal(0)
    assert values.signed_revenue == Decimal(0)


def test_compute_revenue_is_exact_whatever_the_decimal_context() -> None:
    # 12345 + 0.01 = 12345.01 needs 7 digits; a 3-digit context must not round it.
    snap = world(
        Company("A"),
        opp("o1", ACTIVE, "A", amount="12345"),
        opp("o2", DONE, "A", amount="0.01"),
    )

    with localcontext() as ctx:
        ctx.prec = 3
        values = company_of(snap)

    assert values.signed_revenue == Decimal("12345.01")


def test_compute_counts_all_thirty_opportunities_of_a_company() -> None:
    # F6: the page object lists 25 of the 30 (has_more); the small side has all 30.
    # 30 launched projects of 100 each: Active projects 30, Signed revenue 3000.
    opportunities = [opp(f"o{i}", ACTIVE, "A", amount="100") for i in range(30)]
    cut = tuple(o.id for o in opportunities[:25])
    snap = world(Company("A", opportunities=cut), *opportunities)

    values = company_of(snap)

    assert values.active_projects == 30
    assert values.signed_revenue == Decimal(3000)


def test_compute_ignores_the_many_side_of_relations() -> None:
    # Company.opportunities names o1, but o1.company does not name A: o1 is not A's.
    snap = world(
        Company("A", opportunities=("o1",)),
        Company("B"),
        opp("o1", ACTIVE, "B", amount="10"),
    )

    result = run(snap)

    assert result.companies["A"].status == PROSPECT
    assert result.companies["A"].active_projects == 0
    assert result.companies["B"].signed_revenue == Decimal(10)


def test_compute_opportunity_linked_to_two_companies_counts_for_each() -> None:
    # o1 (launched, 5000) belongs to A and B, and names A twice by mistake:
    # A and B each: Client, 1 active project, 5000 signed (not 10000 for A).
    snap = world(
        Company("A"),
        Company("B"),
        opp("o1", ACTIVE, "A", "B", "A", amount="5000"),
    )

    result = run(snap)

    for company_id in ("A", "B"):
        values = result.companies[company_id]
        assert values.status == CLIENT
        assert values.active_projects == 1
        assert values.signed_revenue == Decimal(5000)


def test_compute_options_without_role_count_nowhere() -> None:
    # o1 has an option with no role, o2 no stage at all: both count in no figure,
    # and neither needs a follow-up, however old.
    snap = world(
        Company("A"),
        opp("o1", NO_ROLE, "A", amount="700"),
        opp("o2", None, "A", amount="800"),
    )

    result = run(snap)

    assert result.companies["A"] == CompanyValues(
        status=PROSPECT,
        active_projects=0,
        signed_revenue=Decimal(0),
        potential_revenue=Decimal(0),
        last_interaction=None,
        next_interaction=None,
    )
    assert not result.opportunities["o1"].needs_follow_up
    assert not result.opportunities["o2"].needs_follow_up


def test_compute_ignores_ids_of_pages_not_in_the_snapshot() -> None:
    # "gone" is a trashed company, "k-gone" a trashed contact, "o-gone" a trashed
    # opportunity: no error, and no value is produced for them.
    snap = world(
        Company("A"),
        Contact("k1", company=("A", "gone")),
        opp("o1", ACTIVE, "A", "gone", amount="1"),
        meeting(
            "m1",
            ago(2),
            companies=("gone",),
            contacts=("k-gone",),
            opportunities=("o-gone",),
        ),
    )

    result = run(snap)

    assert set(result.companies) == {"A"}
    assert result.companies["A"].last_interaction is None
    assert result.companies["A"].signed_revenue == Decimal(1)


def test_compute_returns_values_for_every_live_page() -> None:
    snap = world(
        Company("A"),
        Company("B"),
        Contact("k1"),
        opp("o1", None),
        meeting("m1", None),
    )

    result = run(snap)

    assert set(result.companies) == {"A", "B"}
    assert set(result.contacts) == {"k1"}
    assert set(result.opportunities) == {"o1"}


# --- Last and next interaction --------------------------------------------------


def test_compute_interactions_reach_a_company_through_contacts_and_opportunities() -> (
    None
):
    # m1 (20 days ago) names contact k1 of A only; m2 (10 days ago) names o1 of A only;
    # m3 (30 days ago) names A directly. A's last = 10 days ago (2025-06-05).
    # k1's last = m1 (20 days ago), o1's last = m2 (10 days ago).
    # B reaches nothing: k2 belongs to B but no interaction names it.
    snap = world(
        Company("A"),
        Company("B"),
        Contact("k1", company=("A",)),
        Contact("k2", company=("B",)),
        opp("o1", LEAD, "A"),
        meeting("m1", ago(20), contacts=("k1",)),
        meeting("m2", ago(10), opportunities=("o1",)),
        meeting("m3", ago(30), companies=("A",)),
    )

    result = run(snap)

    assert result.companies["A"].last_interaction == date(2025, 6, 5)
    assert result.contacts["k1"].last_interaction == date(2025, 5, 26)
    assert result.opportunities["o1"].last_interaction == date(2025, 6, 5)
    assert result.companies["B"].last_interaction is None
    assert result.contacts["k2"].last_interaction is None


def test_compute_contact_of_two_companies_brings_its_interactions_to_both() -> None:
    # k1 works for A and B; m1 (3 days ago) names k1 only: both get 2025-06-12.
    snap = world(
        Company("A"),
        Company("B"),
        Contact("k1", company=("A", "B")),
        meeting("m1", ago(3), contacts=("k1",)),
    )

    result = run(snap)

    assert result.companies["A"].last_interaction == date(2025, 6, 12)
    assert result.companies["B"].last_interaction == date(2025, 6, 12)


def test_compute_same_interaction_reached_three_ways() -> None:
    # m1 names A, k1 (of A) and o1 (of A): it is one interaction, 4 days ago, and
    # 2 days ahead for m2 reached the same three ways.
    links = {"companies": ("A",), "contacts": ("k1",), "opportunities": ("o1",)}
    snap = world(
        Company("A"),
        Contact("k1", company=("A",)),
        opp("o1", PROPOSAL, "A"),
        meeting("m1", ago(4), **links),
        meeting("m2", ago(-2), **links),
    )

    values = company_of(snap)

    assert values.last_interaction == date(2025, 6, 11)
    assert values.next_interaction == date(2025, 6, 17)


def test_compute_future_interaction_is_next_not_last() -> None:
    # m1 tomorrow and m2 in 9 days: A's next = tomorrow (2025-06-16), last = None.
    # The contact and the opportunity have no last interaction either.
    snap = world(
        Company("A"),
        Contact("k1", company=("A",)),
        opp("o1", LEAD, "A"),
        meeting("m1", ago(-1), contacts=("k1",), opportunities=("o1",)),
        meeting("m2", ago(-9), companies=("A",)),
    )

    result = run(snap)

    assert result.companies["A"].last_interaction is None
    assert result.companies["A"].next_interaction == date(2025, 6, 16)
    assert result.contacts["k1"].last_interaction is None
    assert result.opportunities["o1"].last_interaction is None


def test_compute_interaction_today_is_last() -> None:
    # "Not after today": today itself is the last interaction, not the next.
    snap = world(Company("A"), meeting("m1", TODAY, companies=("A",)))

    values = company_of(snap)

    assert values.last_interaction == TODAY
    assert values.next_interaction is None


def test_compute_interaction_without_date_is_ignored() -> None:
    snap = world(Company("A"), meeting("m1", None, companies=("A",)))

    values = company_of(snap)

    assert values.last_interaction is None
    assert values.next_interaction is None


# --- Needs follow-up ------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage_change_days_ago", "expected"),
    [
        pytest.param(0, False, id="today"),
        pytest.param(7, False, id="7-days-is-within"),  # 2025-06-08
        pytest.param(8, True, id="8-days-needs-follow-up"),  # 2025-06-07
        pytest.param(-3, False, id="future-stage-change"),
    ],
)
def test_compute_follow_up_after_a_stage_change(
    stage_change_days_ago: int, expected: bool
) -> None:
    snap = world(Company("A"), opp("o1", PROPOSAL, "A"))

    result = run(snap, recorded={"o1": ago(stage_change_days_ago)})

    assert result.opportunities["o1"].needs_follow_up is expected


@pytest.mark.parametrize(
    ("interaction_days_ago", "expected"),
    [
        pytest.param(7, False, id="7-days-is-within"),
        pytest.param(8, True, id="8-days-needs-follow-up"),
        pytest.param(-1, True, id="future-is-not-recent"),
    ],
)
def test_compute_follow_up_after_an_interaction(
    interaction_days_ago: int, expected: bool
) -> None:
    # Stage changed 30 days ago; only the interaction can make it recent.
    snap = world(
        opp("o1", FOLLOW_UP),
        meeting("m1", ago(interaction_days_ago), opportunities=("o1",)),
    )

    result = run(snap, recorded={"o1": ago(30)})

    assert result.opportunities["o1"].needs_follow_up is expected


def test_compute_follow_up_only_in_proposal_stages() -> None:
    # Every stage with an old change and no interaction: only proposals need it.
    stages = [LEAD, QUOTING, PROPOSAL, FOLLOW_UP, ACTIVE, DONE, LOST, NO_ROLE, None]
    snap = world(*(opp(f"o{i}", stage) for i, stage in enumerate(stages)))

    result = run(snap, recorded={f"o{i}": ago(60) for i in range(len(stages))})

    flagged = {o for o, v in result.opportunities.items() if v.needs_follow_up}
    assert flagged == {"o2", "o3"}


def test_compute_follow_up_interaction_through_company_does_not_count() -> None:
    # m1 (yesterday) names the company only: it is not the opportunity's interaction.
    snap = world(
        Company("A"),
        opp("o1", PROPOSAL, "A"),
        meeting("m1", ago(1), companies=("A",)),
    )

    result = run(snap, recorded={"o1": ago(30)})

    assert result.opportunities["o1"].needs_follow_up is True


def test_compute_follow_up_recorded_transition_wins_over_stage_dates() -> None:
    # Recorded transition 20 days ago beats a stage date 2 days ago -> needed.
    snap = world(opp("o1", PROPOSAL, quote_sent_on=ago(2)))

    result = run(snap, recorded={"o1": ago(20)})

    assert result.opportunities["o1"].needs_follow_up is True


def test_compute_follow_up_falls_back_on_the_latest_stage_date() -> None:
    # Cold start: no transition recorded. Quote sent 30 days ago, closed 5 days ago
    # (then moved back to a proposal): the latest, 5 days ago, stands -> not needed.
    # o2 has only the 30-day-old date -> needed.
    snap = world(
        opp("o1", PROPOSAL, quote_sent_on=ago(30), closed_on=ago(5), started_on=None),
        opp("o2", PROPOSAL, quote_sent_on=ago(30)),
    )

    result = run(snap)

    assert result.opportunities["o1"].needs_follow_up is False
    assert result.opportunities["o2"].needs_follow_up is True


def test_compute_follow_up_falls_back_on_creation_in_the_time_zone() -> None:
    # F14: created 2025-06-07 22:30 UTC = 2025-06-08 00:30 in Paris (UTC+2 in June),
    # 7 days before today -> not needed. As a UTC date it would be 8 days -> needed.
    created = datetime(2025, 6, 7, 22, 30, tzinfo=UTC)
    snap = world(opp("o1", PROPOSAL, created=created))

    assert run(snap).opportunities["o1"].needs_follow_up is False

    in_utc = replace(RULES, zone=ZoneInfo("UTC"))
    assert run(snap, in_utc).opportunities["o1"].needs_follow_up is True


def test_compute_follow_up_with_nothing_known_is_needed() -> None:
    # No transition, no stage date, no creation time: nothing is within 7 days.
    snap = world(opp("o1", PROPOSAL, created=None))

    assert run(snap).opportunities["o1"].needs_follow_up is True


def test_stage_changed_on_fallback_chain() -> None:
    dated = opp("o1", PROPOSAL, quote_sent_on=ago(30), started_on=ago(12))
    bare = opp("o2", PROPOSAL, created=datetime(2025, 3, 1, 23, 30, tzinfo=UTC))

    assert stage_changed_on(dated, RULES, {"o1": ago(1)}) == ago(1)
    assert stage_changed_on(dated, RULES, {}) == ago(12)
    assert stage_changed_on(bare, RULES, {}) == date(2025, 3, 2)  # 00:30 CET
    assert stage_changed_on(opp("o3", LEAD, created=None), RULES, {}) is None


# --- Helpers and rules ----------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        pytest.param(
            datetime(2025, 3, 29, 23, 30, tzinfo=UTC),
            date(2025, 3, 30),
            id="before-spring-change-utc+1",
        ),
        pytest.param(
            datetime(2025, 3, 30, 22, 30, tzinfo=UTC),
            date(2025, 3, 31),
            id="after-spring-change-utc+2",
        ),
        pytest.param(
            datetime(2025, 10, 25, 22, 30, tzinfo=UTC),
            date(2025, 10, 26),
            id="before-autumn-change-utc+2",
        ),
        pytest.param(
            datetime(2025, 10, 26, 22, 30, tzinfo=UTC),
            date(2025, 10, 26),
            id="after-autumn-change-utc+1",
        ),
        pytest.param(datetime(2025, 6, 7, 22, 30), date(2025, 6, 8), id="naive-is-utc"),
    ],
)
def test_local_date_follows_paris_clock_changes(
    instant: datetime, expected: date
) -> None:
    assert local_date(instant, PARIS) == expected


def test_within_days_is_inclusive() -> None:
    assert within_days(ago(7), TODAY, 7)
    assert not within_days(ago(8), TODAY, 7)
    assert within_days(ago(-1), TODAY, 7)
    assert not within_days(None, TODAY, 7)


def test_rules_from_schema_maps_option_ids_to_roles() -> None:
    schema = load_schema()
    stage_keys = [option.key for option in schema.stage.options]
    stage_ids = {key: f"id-{key}" for key in stage_keys if key != "to_contact"}
    status_ids = {"prospect": "p", "client": "c", "former_client": "f"}

    rules = Rules.from_schema(
        schema, stage_ids=stage_ids, status_ids=status_ids, follow_up_after_days=3
    )

    assert rules.roles == {
        "id-contact_initiated": "lead",
        "id-quote_to_send": "quoting",
        "id-quote_sent": "proposal",
        "id-follow_up": "proposal",
        "id-project_launched": "won_active",
        "id-project_completed": "won_done",
        "id-refused": "lost",
    }
    assert rules.stage_date_keys == (
        "quote_sent_on",
        "started_on",
        "completed_on",
        "closed_on",
    )
    assert rules.completed_on_key == "completed_on"
    assert rules.former_client_after_days == 365
    assert rules.follow_up_after_days == 3
    assert rules.zone == PARIS
    assert rules.status_key("f") == "former_client"
    assert rules.status_key("unknown") is None


def test_rules_refuse_missing_status_ids() -> None:
    with pytest.raises(ValueError, match="former_client"):
        Rules(roles=ROLES, status_ids={"prospect": "p", "client": "c"})


def test_rules_refuse_negative_days() -> None:
    with pytest.raises(ValueError, match="zero or more"):
        replace(RULES, follow_up_after_days=-1)


# --- Against a naive reference ----------------------------------------------------


def reference(
    snap: Snapshot, rules: Rules, today: date, recorded: Mapping[str, date]
) -> Computed:
    """compute() written the slow, obvious way: nested scans straight from §3."""
    return Computed(
        companies={
            c: _reference_company(snap, rules, today, c) for c in snap.companies
        },
        contacts={k: _reference_contact(snap, today, k) for k in snap.contacts},
        opportunities={
            o: _reference_opportunity(snap, rules, today, recorded, o)
            for o in snap.opportunities
        },
    )


def _reference_role(rules: Rules, o: Opportunity) -> str | None:
    return rules.roles.get(o.stage) if o.stage is not None else None


def _reference_holds(rules: Rules, today: date, o: Opportunity) -> bool:
    role = _reference_role(rules, o)
    if role == "won_active":
        return True
    completed = o.stage_dates.get("completed_on")
    return role == "won_done" and (
        completed is None or (today - completed).days <= rules.former_client_after_days
    )


def _reference_company(
    snap: Snapshot, rules: Rules, today: date, c: str
) -> CompanyValues:
    mine = [o for o in snap.opportunities.values() if c in o.company]
    won = [o for o in mine if _reference_role(rules, o) in ("won_active", "won_done")]
    proposals = [o for o in mine if _reference_role(rules, o) == "proposal"]
    if any(_reference_holds(rules, today, o) for o in won):
        status = "client"
    else:
        status = "former_client" if won else "prospect"
    days = [
        i.date
        for i in snap.interactions.values()
        if i.date is not None and _reaches(snap, i, c)
    ]
    return CompanyValues(
        status=rules.status_ids[status],
        active_projects=len(
            [o for o in mine if _reference_role(rules, o) == "won_active"]
        ),
        signed_revenue=sum((o.amount or Decimal(0) for o in won), Decimal(0)),
        potential_revenue=sum((o.amount or Decimal(0) for o in proposals), Decimal(0)),
        last_interaction=max((d for d in days if d <= today), default=None),
        next_interaction=min((d for d in days if d > today), default=None),
    )


def _reaches(snap: Snapshot, i: Interaction, c: str) -> bool:
    if c in i.company:
        return True
    for k in snap.contacts.values():
        if k.id in i.contacts and c in k.company:
            return True
    return any(
        o.id in i.opportunity and c in o.company for o in snap.opportunities.values()
    )


def _reference_contact(snap: Snapshot, today: date, k: str) -> ContactValues:
    days = [
        i.date
        for i in snap.interactions.values()
        if i.date is not None and k in i.contacts and i.date <= today
    ]
    return ContactValues(last_interaction=max(days, default=None))


def _reference_opportunity(
    snap: Snapshot,
    rules: Rules,
    today: date,
    recorded: Mapping[str, date],
    o_id: str,
) -> OpportunityValues:
    o = snap.opportunities[o_id]
    days = [
        i.date
        for i in snap.interactions.values()
        if i.date is not None and o_id in i.opportunity and i.date <= today
    ]
    last = max(days, default=None)
    stamped = [d for d in o.stage_dates.values() if d is not None]
    changed: date | None
    if o_id in recorded:
        changed = recorded[o_id]
    elif stamped:
        changed = max(stamped)
    elif o.created_time is not None:
        changed = o.created_time.astimezone(rules.zone).date()
    else:
        changed = None
    limit = rules.follow_up_after_days
    recent = [d for d in (last, changed) if d is not None and (today - d).days <= limit]
    return OpportunityValues(
        last_interaction=last,
        needs_follow_up=_reference_role(rules, o) == "proposal" and not recent,
    )


COMPANY_IDS = ["A", "B", "C"]
CONTACT_IDS = ["k1", "k2", "k3"]
OPP_IDS = ["o1", "o2", "o3", "o4", "o5"]
GHOSTS = ["gone"]  # ids of trashed pages, which relations may still name

# Days ago, weighted towards the edges of "within 7" and "within 365" days.
EDGES = [-9, -5, -2, -1, 0, 1, 6, 7, 8, 30, 364, 365, 366, 400]
days_around = (st.sampled_from(EDGES) | st.integers(-15, 380)).map(ago)
maybe_day = st.none() | days_around | days_around  # a date twice as often
amounts = st.none() | st.sampled_from(["0", "0.1", "0.2", "100", "2500.50"]).map(
    Decimal
)


def links(ids: list[str]) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(ids + GHOSTS), max_size=3).map(tuple)


created_times = st.none() | st.datetimes(
    min_value=datetime(2025, 1, 1),
    max_value=datetime(2025, 6, 20),
    timezones=st.just(UTC),
)


@st.composite
def random_opportunity(draw: st.DrawFn, opp_id: str) -> Opportunity:
    return Opportunity(
        id=opp_id,
        stage=draw(st.sampled_from([*ROLES, NO_ROLE, None])),
        company=draw(links(COMPANY_IDS)),
        amount=draw(amounts),
        stage_dates=draw(
            st.dictionaries(st.sampled_from(RULES.stage_date_keys), maybe_day)
        ),
        created_time=draw(created_times),
    )


@st.composite
def snapshots(draw: st.DrawFn) -> tuple[Snapshot, dict[str, date]]:
    # Every id exists; "gone" in relations stands for trashed pages.
    snap = world(*(Company(c) for c in COMPANY_IDS))
    for k in CONTACT_IDS:
        snap.contacts[k] = Contact(k, company=draw(links(COMPANY_IDS)))
    for o in OPP_IDS:
        snap.opportunities[o] = draw(random_opportunity(o))
    for n in range(draw(st.integers(0, 10))):
        snap.interactions[f"m{n}"] = meeting(
            f"m{n}",
            draw(maybe_day),
            companies=draw(links(COMPANY_IDS)),
            contacts=draw(links(CONTACT_IDS)),
            opportunities=draw(links(OPP_IDS)),
        )
    recorded = draw(st.dictionaries(st.sampled_from(OPP_IDS), days_around))
    return snap, recorded


@settings(derandomize=True, max_examples=100, deadline=None)
@given(snapshots())
def test_compute_matches_naive_reference(
    case: tuple[Snapshot, dict[str, date]],
) -> None:
    snap, recorded = case

    fast = compute(snap, RULES, today=TODAY, last_stage_change=recorded)

    assert fast == reference(snap, RULES, TODAY, recorded)
