"""Tests of notion_crm.sync.kpis, with the KPI specs of schemas/rules.toml.

Today is 15 June 2025; each expected figure is worked out in a comment.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from notion_crm.schema.loader import load_schema
from notion_crm.schema.model import KpiSpec
from notion_crm.sync.compute import (
    CompanyValues,
    Computed,
    OpportunityValues,
    Rules,
    compute,
)
from notion_crm.sync.kpis import KpiValue, compute_kpis
from notion_crm.sync.records import Company, Opportunity, Snapshot

TODAY = date(2025, 6, 15)
KPIS = load_schema().rules.kpis
RULES = Rules(
    roles={
        "lead": "lead",
        "quoting": "quoting",
        "quote-sent": "proposal",
        "follow-up": "proposal",
        "launched": "won_active",
        "completed": "won_done",
        "refused": "lost",
    },
    status_ids={"prospect": "s-p", "client": "s-c", "former_client": "s-f"},
)


def ago(days: int) -> date:
    """The date ``days`` days before TODAY."""
    return TODAY - timedelta(days=days)


def deal(
    deal_id: str,
    stage: str | None,
    company: str | None = None,
    amount: str | None = None,
    **stage_dates: date,
) -> Opportunity:
    """An opportunity created long ago; the amount as a string keeps it exact."""
    return Opportunity(
        id=deal_id,
        stage=stage,
        company=(company,) if company else (),
        amount=None if amount is None else Decimal(amount),
        stage_dates=dict(stage_dates),
        created_time=datetime(2024, 1, 1, tzinfo=UTC),
    )


def snapshot_of(companies: list[str], deals: list[Opportunity]) -> Snapshot:
    """A snapshot of these companies and opportunities."""
    return Snapshot(
        companies={c: Company(c) for c in companies},
        opportunities={d.id: d for d in deals},
    )


def figures(
    snap: Snapshot, recorded: dict[str, date] | None = None
) -> dict[str, KpiValue]:
    """compute() then compute_kpis() with the shipped KPI specs."""
    computed = compute(snap, RULES, today=TODAY, last_stage_change=recorded or {})
    return compute_kpis(snap, computed, RULES, KPIS)


def spec(shipped: str, **changes: object) -> KpiSpec:
    """A shipped KPI spec, or a variant of it (built unvalidated, on purpose)."""
    found = next(s for s in KPIS if s.key == shipped)
    return found.model_copy(update=changes)


def test_compute_kpis_small_workspace() -> None:
    # Companies: A (lead, quote, no-role deal) and B (proposals) are prospects,
    # C has a launched project (client), D completed one 400 days ago (former
    # client), E has nothing (prospect). Prospects = A, B, E = 3.
    # Active opportunities = o1 lead + o2 quoting + o3, o4, o5 proposals = 5.
    # Quotes in discussion = o3, o4, o5 = 3.
    # Pending pipeline = 1000 + 500.50 + (o5 empty) = 1500.50.
    # Conversion rate = won (o6, o7) / (won + lost o8) = 2 / 3 = 66.666...%.
    # Projects running = o6 = 1; projects completed = o7 = 1.
    # Signed revenue = 3000 + 2000.25 = 5000.25.
    # Follow-ups due: o3 changed 2 days ago (no), o4 and o5 60 days ago (yes) = 2.
    # o9 (an option without role) and o10 (no stage) count nowhere.
    snap = snapshot_of(
        ["A", "B", "C", "D", "E"],
        [
            deal("o1", "lead", "A", "100"),
            deal("o2", "quoting", "A", "200"),
            deal("o3", "quote-sent", "B", "1000"),
            deal("o4", "follow-up", "B", "500.50"),
            deal("o5", "quote-sent", "B"),
            deal("o6", "launched", "C", "3000"),
            deal("o7", "completed", "D", "2000.25", completed_on=ago(400)),
            deal("o8", "refused", None, "700"),
            deal("o9", "stage-without-role", "A", "9999"),
            deal("o10", None, "A", "1234"),
        ],
    )

    result = figures(snap, {"o3": ago(2), "o4": ago(60), "o5": ago(60)})

    assert result == {
        "prospects": 3,
        "active_opportunities": 5,
        "quotes_in_discussion": 3,
        "pending_pipeline": Decimal("1500.50"),
        "conversion_rate": pytest.approx(200 / 3),
        "projects_running": 1,
        "projects_completed": 1,
        "signed_revenue": Decimal("5000.25"),
        "follow_ups_due": 2,
    }
    assert list(result) == [s.key for s in KPIS]


def test_compute_kpis_value_types() -> None:
    # Counts are ints (not bools), sums Decimals, the rate a float.
    snap = snapshot_of(["A"], [deal("o1", "launched", "A", "10")])

    result = figures(snap)

    assert type(result["prospects"]) is int
    assert type(result["follow_ups_due"]) is int
    assert type(result["signed_revenue"]) is Decimal
    assert type(result["conversion_rate"]) is float
    assert result["conversion_rate"] == 100.0  # 1 won / 1 closed


def test_compute_kpis_rate_is_none_when_nothing_is_closed() -> None:
    # Only open deals: won + lost = 0, so the conversion rate is undefined.
    snap = snapshot_of(["A"], [deal("o1", "lead", "A"), deal("o2", "quote-sent")])

    assert figures(snap)["conversion_rate"] is None


def test_compute_kpis_rate_is_zero_when_everything_is_lost() -> None:
    # 0 won / 2 lost = 0.0, a real zero, not None.
    snap = snapshot_of([], [deal("o1", "refused"), deal("o2", "refused")])

    assert figures(snap)["conversion_rate"] == 0.0


def test_compute_kpis_of_an_empty_workspace() -> None:
    result = figures(Snapshot())

    assert result == {
        "prospects": 0,
        "active_opportunities": 0,
        "quotes_in_discussion": 0,
        "pending_pipeline": Decimal(0),
        "conversion_rate": None,
        "projects_running": 0,
        "projects_completed": 0,
        "signed_revenue": Decimal(0),
        "follow_ups_due": 0,
    }


def test_compute_kpis_sums_are_exact() -> None:
    # 0.1 + 0.2 = 0.3 exactly; 0 is a real zero; an empty amount adds nothing.
    snap = snapshot_of(
        [],
        [
            deal("o1", "quote-sent", amount="0.1"),
            deal("o2", "follow-up", amount="0.2"),
            deal("o3", "quote-sent", amount="0"),
            deal("o4", "quote-sent"),
        ],
    )

    pipeline = figures(snap)["pending_pipeline"]

    assert pipeline == Decimal("0.3")
    assert str(pipeline) == "0.3"


def test_compute_kpis_ignore_values_of_pages_not_in_the_snapshot() -> None:
    # Computed values left over for "gone" (a trashed company) and "o-gone" (a
    # trashed opportunity flagged for follow-up) must not count: only live pages do.
    snap = snapshot_of(["A"], [])
    computed = Computed(
        companies={
            "A": CompanyValues("s-p", 0, Decimal(0), Decimal(0), None, None),
            "gone": CompanyValues("s-p", 0, Decimal(0), Decimal(0), None, None),
        },
        contacts={},
        opportunities={"o-gone": OpportunityValues(None, needs_follow_up=True)},
    )

    result = compute_kpis(snap, computed, RULES, KPIS)

    assert result["prospects"] == 1
    assert result["follow_ups_due"] == 0


def test_compute_kpis_evaluates_specs_generically() -> None:
    # A count of companies by two statuses, and a sum over lost deals:
    # clients + former clients = C and D = 2; lost amounts = 700 + 300 = 1000.
    snap = snapshot_of(
        ["A", "C", "D"],
        [
            deal("o1", "launched", "C"),
            deal("o2", "completed", "D", completed_on=ago(500)),
            deal("o3", "refused", amount="700"),
            deal("o4", "refused", amount="300"),
        ],
    )
    computed = compute(snap, RULES, today=TODAY, last_stage_change={})
    specs = [
        spec("prospects", key="customers", statuses=("client", "former_client")),
        spec("signed_revenue", key="lost_revenue", roles=("lost",)),
    ]

    result = compute_kpis(snap, computed, RULES, specs)

    assert result == {"customers": 2, "lost_revenue": Decimal(1000)}


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(spec("follow_ups_due", flag="starred"), id="unknown-flag"),
        pytest.param(spec("prospects", kind="sum"), id="sum-of-companies"),
        pytest.param(
            spec("projects_running", statuses=("client",)), id="status-of-deals"
        ),
    ],
)
def test_compute_kpis_refuses_specs_without_meaning(bad: KpiSpec) -> None:
    with pytest.raises(ValueError, match=bad.key):
        compute_kpis(Snapshot(), Computed({}, {}, {}), RULES, [bad])
