"""The targets of issue 7, checked against what one size measured.

Each :class:`Check` carries the figure, the limit and whether it is met; ``met`` is
``None`` where a target does not apply (for instance wall time on a cycle of 100
requests or fewer). ``kind`` groups them: the fast test asserts every ``requests``
and ``ratio`` check, which do not depend on time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from benchmarks.generate import Dataset, items_past_cut

if TYPE_CHECKING:
    from benchmarks.run import Measure, SizeResult

Kind = Literal["requests", "ratio", "rate", "time", "cpu", "memory"]

DISCOVERY_ALLOWANCE = 10
"""Reads a cold start may spend on schemas and the dashboard."""

PAGE_WRITE = "PATCH /v1/pages/{id}"
BLOCK_WRITE = "PATCH /v1/blocks/{id}"


@dataclass(frozen=True, slots=True)
class Check:
    """One target at one size."""

    name: str
    figure: str
    limit: str
    met: bool | None
    kind: Kind


def cold_read_bound(data: Dataset) -> int:
    """Most reads a cold start may send for this data set (issue 7)."""
    pages = sum(math.ceil(n / 100) for n in data.counts().values())
    windows = sum(math.ceil(n / 10_000) for n in data.counts().values())
    return pages + windows + items_past_cut(data) + DISCOVERY_ALLOWANCE


def _cold(r: SizeResult, m: Measure, name: str, writes: int) -> list[Check]:
    reads, pages = m.counts.reads, m.path(PAGE_WRITE)
    blocks = m.path(BLOCK_WRITE)
    return [
        Check(
            f"{name}: reads",
            str(reads),
            f"≤ {r.cold_read_bound}",
            reads <= r.cold_read_bound,
            "requests",
        ),
        Check(
            f"{name}: page writes",
            str(pages),
            f"= {writes} (values that differ)",
            pages == writes,
            "requests",
        ),
        Check(
            f"{name}: block writes",
            str(blocks),
            "≤ 10 (9 callouts + as-of)",
            blocks <= 10,
            "requests",
        ),
    ]


def _idle(m: Measure) -> list[Check]:
    total, writes = m.counts.total, m.counts.writes
    return [
        Check(
            "idle: requests",
            str(total),
            "≤ 4 (one per data source)",
            total <= 4,
            "requests",
        ),
        Check("idle: writes", str(writes), "= 0", writes == 0, "requests"),
    ]


def _stage(m: Measure) -> list[Check]:
    pages_due = m.expected_writes or 0
    callouts = (m.kpi_changes or 0) + 1
    reads, pages = m.counts.reads, m.path(PAGE_WRITE)
    blocks = m.path(BLOCK_WRITE)
    bound = 4 + pages_due + callouts
    return [
        Check("stage change: reads", str(reads), "≤ 4", reads <= 4, "requests"),
        Check(
            "stage change: page writes",
            str(pages),
            f"≤ {pages_due} (pages whose values change)",
            pages <= pages_due,
            "requests",
        ),
        Check(
            "stage change: block writes",
            str(blocks),
            f"≤ {callouts} (changed callouts + as-of)",
            blocks <= callouts,
            "requests",
        ),
        Check(
            "stage change: requests",
            str(m.counts.total),
            f"≤ {bound}",
            m.counts.total <= bound,
            "requests",
        ),
    ]


def _after(m: Measure) -> Check:
    pages = m.path(PAGE_WRITE)
    return Check(
        f"{m.scenario}: page writes", str(pages), "= 0", pages == 0, "requests"
    )


def _edited(m: Measure) -> Check:
    pages, due = m.path(PAGE_WRITE), m.expected_writes or 0
    return Check(
        "1% edited: page writes",
        str(pages),
        f"≤ {due} (pages whose values change)",
        pages <= due,
        "requests",
    )


def _ratios(r: SizeResult) -> list[Check]:
    found: list[Check] = []
    for name, cycle, _elapsed in r.baseline:
        m = r.get(name)
        if m is None or m.counts.total == 0:
            continue
        ratio = cycle.total / m.counts.total
        least = 50 if name == "idle" else 10
        found.append(
            Check(
                f"baseline / notion-crm, {name}",
                f"{ratio:.1f}",
                f"≥ {least} (at M)",
                ratio >= least,
                "ratio",
            )
        )
    return found


def _timing(m: Measure) -> Check:
    ratio = m.duration_s / m.at_limit_s if m.at_limit_s else 0.0
    applies = m.counts.total > 100 and m.latency_ms >= 300 and m.rate_limit > 0
    return Check(
        f"{m.scenario}: wall / (requests ÷ 3)",
        f"{ratio:.2f} ({m.duration_s:.1f} s / {m.at_limit_s:.1f} s)",
        "≤ 1.15 (cycles > 100 requests, 300 ms)",
        ratio <= 1.15 if applies else None,
        "time",
    )


def _resources(r: SizeResult, m: Measure) -> list[Check]:
    pages = max(1, int(m.report["pages_read"]))
    cpu = max(0.0, m.proc.cpu_s - r.startup_cpu_s) / pages * 10_000
    memory = m.proc.maxrss_mb
    return [
        Check(
            "cold start: engine CPU per 10,000 pages",
            f"{cpu:.2f} s",
            "< 2 s",
            cpu < 2,
            "cpu",
        ),
        Check(
            "cold start: peak memory",
            f"{memory:.0f} MB",
            "< 250 MB (at L)",
            memory < 250,
            "memory",
        ),
    ]


def evaluate(r: SizeResult) -> list[Check]:
    """Every target of issue 7 that this size measured."""
    found = [
        Check(
            "provisioning: requests",
            str(r.provision.total),
            "< 80",
            r.provision.total < 80,
            "requests",
        )
    ]
    cold = r.get("cold start")
    if cold is not None:
        found += _cold(r, cold, "cold start", r.wrong_pages)
        found += _resources(r, cold)
    for m in r.measures:
        if m.scenario.startswith("after"):
            found.append(_after(m))
    idle = r.get("idle")
    if idle is not None:
        found += _idle(idle)
    stage = r.get("one stage change")
    if stage is not None:
        found += _stage(stage)
    edited = r.get("1% edited")
    if edited is not None:
        found.append(_edited(edited))
    first = r.get("first-ever run")
    if first is not None:
        found += _cold(r, first, "first-ever run", r.first_ever_writes)
    found += _ratios(r)
    for m in r.measures:
        if m.rate_limit > 0:
            limited = m.counts.rate_limited
            found.append(
                Check(
                    f"{m.scenario}: 429 received",
                    str(limited),
                    "= 0",
                    limited == 0,
                    "rate",
                )
            )
    found += [_timing(m) for m in r.measures if m.rate_limit > 0]
    return found
