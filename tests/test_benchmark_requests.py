"""The S benchmark with the rate limit off: request counts must meet issue 7's targets.

Times are not checked here (the rate limit is off); request counts are, so that a
regression in request economy fails CI. It drives the real CLI against
``notion-crm emulator serve`` on 127.0.0.1, like ``make bench``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import checks
from benchmarks.run import Options, SizeResult, bench_size


@pytest.fixture(scope="module")
def s_result(tmp_path_factory: pytest.TempPathFactory) -> SizeResult:
    """Every scenario at size S, rate limit off, no latency, no timing run."""
    workdir: Path = tmp_path_factory.mktemp("bench")
    options = Options(
        sizes=["S"],
        rate_limit=0,
        latency_ms=0,
        timing_sizes=set(),
        unlimited_sizes={"S"},
        workdir=workdir,
        results=None,
    )
    return bench_size("S", options)


def _checks(result: SizeResult, *kinds: str) -> list[checks.Check]:
    return [c for c in checks.evaluate(result) if c.kind in kinds]


def test_benchmark_s_runs_every_scenario(s_result: SizeResult) -> None:
    scenarios = {m.scenario for m in s_result.measures}

    assert {
        "cold start",
        "idle",
        "one stage change",
        "1% edited",
        "first-ever run",
    } <= scenarios
    assert [name for name, _cycle, _s in s_result.baseline] == ["idle", "1% edited"]


@pytest.mark.parametrize(
    "name",
    [
        "provisioning: requests",
        "cold start: reads",
        "cold start: page writes",
        "cold start: block writes",
        "idle: requests",
        "idle: writes",
        "stage change: reads",
        "stage change: page writes",
        "stage change: block writes",
        "stage change: requests",
        "1% edited: page writes",
        "first-ever run: reads",
        "first-ever run: page writes",
    ],
)
def test_benchmark_s_request_target_met(s_result: SizeResult, name: str) -> None:
    found = {c.name: c for c in _checks(s_result, "requests")}

    check = found[name]

    assert check.met, f"{check.name}: {check.figure}, target {check.limit}"


def test_benchmark_s_cycles_after_writes_write_nothing(s_result: SizeResult) -> None:
    after = [c for c in _checks(s_result, "requests") if c.name.startswith("after")]

    assert len(after) == 2
    assert all(c.met for c in after), after


def test_benchmark_s_beats_the_baseline(s_result: SizeResult) -> None:
    ratios = _checks(s_result, "ratio")

    assert len(ratios) == 2
    assert all(c.met for c in ratios), ratios
