"""The dashboard's figures, evaluated from the KPI specs of ``schemas/rules.toml``.

KPIs are data, not code: each :class:`~notion_crm.schema.model.KpiSpec` says what it
counts, sums or compares, and :func:`compute_kpis` evaluates any of them the same way.
Figures come from the full snapshot and the computed values, never from a rollup read
from Notion (field report F7). Like :mod:`notion_crm.sync.compute`, this is pure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from notion_crm.schema.model import KpiSpec, Role
from notion_crm.sync.compute import (
    Computed,
    OpportunityValues,
    Rules,
    StatusKey,
    exact_sum,
)
from notion_crm.sync.records import Snapshot

KpiValue = int | Decimal | float | None
"""A figure: a count (int), a sum of euros (Decimal), a percent (float) or None."""

OPPORTUNITY_FLAGS: Mapping[str, Callable[[OpportunityValues], bool]] = {
    "needs_follow_up": lambda values: values.needs_follow_up,
}
"""Computed checkboxes a count KPI may filter on, by the name ``flag`` gives."""


@dataclass(frozen=True, slots=True)
class _Deal:
    """An opportunity that has a role, reduced to what KPIs read."""

    role: Role
    amount: Decimal | None
    values: OpportunityValues | None


def compute_kpis(
    snapshot: Snapshot,
    computed: Computed,
    rules: Rules,
    kpis: Sequence[KpiSpec],
) -> dict[str, KpiValue]:
    """Evaluate every KPI spec over the live records; keys are the specs' keys.

    Opportunities without a role and pages absent from the snapshot count nowhere.
    Raises ValueError for a spec this evaluator cannot give a meaning to.
    """
    deals = _deals(snapshot, computed, rules)
    statuses = _statuses(snapshot, computed, rules)
    return {spec.key: _evaluate(spec, deals, statuses) for spec in kpis}


def _deals(snapshot: Snapshot, computed: Computed, rules: Rules) -> list[_Deal]:
    deals = []
    for opportunity in snapshot.opportunities.values():
        role = rules.role_of(opportunity)
        if role is not None:
            values = computed.opportunities.get(opportunity.id)
            deals.append(_Deal(role, opportunity.amount, values))
    return deals


def _statuses(
    snapshot: Snapshot, computed: Computed, rules: Rules
) -> list[StatusKey | None]:
    return [
        rules.status_key(values.status)
        for company_id, values in computed.companies.items()
        if company_id in snapshot.companies
    ]


def _evaluate(
    spec: KpiSpec, deals: list[_Deal], statuses: list[StatusKey | None]
) -> KpiValue:
    if spec.of == "companies":
        if spec.kind != "count" or spec.roles or spec.over or spec.flag:
            raise ValueError(f"KPI {spec.key}: companies are only counted by status")
        return sum(1 for status in statuses if status in spec.statuses)

    if spec.statuses:
        raise ValueError(f"KPI {spec.key}: opportunities have no company status")
    if spec.kind == "count":
        return len(_select(spec, deals, spec.roles))
    if spec.kind == "sum":
        return exact_sum(deal.amount for deal in _select(spec, deals, spec.roles))
    return _rate(
        len(_select(spec, deals, spec.roles)), len(_select(spec, deals, spec.over))
    )


def _select(spec: KpiSpec, deals: list[_Deal], roles: tuple[Role, ...]) -> list[_Deal]:
    # No roles means every role; a flag further keeps the deals whose box is checked.
    flag = _flag(spec)
    return [
        deal
        for deal in deals
        if (not roles or deal.role in roles)
        and (flag is None or (deal.values is not None and flag(deal.values)))
    ]


def _flag(spec: KpiSpec) -> Callable[[OpportunityValues], bool] | None:
    if spec.flag is None:
        return None
    try:
        return OPPORTUNITY_FLAGS[spec.flag]
    except KeyError:
        known = ", ".join(OPPORTUNITY_FLAGS)
        raise ValueError(
            f"KPI {spec.key}: unknown flag {spec.flag!r} (known: {known})"
        ) from None


def _rate(part: int, whole: int) -> float | None:
    if whole == 0:
        return None
    return 100 * part / whole
