"""The benchmark runner: ``python -m benchmarks.run --sizes S,M``.

For each size it provisions a CRM through ``notion-crm provision`` against
``notion-crm emulator serve``, adds the generated pages straight into the emulator's
data file, restarts the emulator on it (rate limit 3/s, latency 150 ms by default)
and drives ``notion-crm sync --once --json`` through the scenarios of issue 7:
cold start, the cycle after it, an idle cycle, one stage change, the cycle after it,
and a cycle with 1% of the pages edited. The emulator's clock and the engine's
``NOTION_CRM_NOW`` move 120 s between cycles, as in a daemon. A cold start is timed
again at 300 ms latency; a first-ever run on data with every owned value empty and
the naive baseline run with the rate limit off. Requests are counted by the
emulator's ``/_emulator/stats``, reset before each measurement.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchmarks import checks, report
from benchmarks.baseline import BaselineCycle, NaiveSync
from benchmarks.generate import (
    BENCH_NOW,
    HISTORY_DAYS,
    SIZES,
    Dataset,
    Fill,
    changed_pages,
    differs_from_empty,
    expected_values,
    generate,
    pick_wrong,
    write_dataset,
)
from benchmarks.harness import (
    TOKEN,
    Cli,
    Counts,
    Emulated,
    EmulatorProcess,
    InProcessEmulator,
    ProcResult,
    person_client,
    reset_stats,
    set_clock,
    startup_cpu_s,
    stats,
)
from benchmarks.scenarios import (
    Edit,
    EditLog,
    apply_edits,
    one_percent_edits,
    pick_stage_change,
    stage_edit,
)

RESULTS = Path(__file__).with_name("RESULTS.md")
"""Where the runner writes its report."""

WORKDIR = Path(tempfile.gettempdir()) / "notion-crm-bench"
"""Where data files and state stores go (kept after the run, for inspection)."""

CYCLE_GAP_S = 120.0
"""Seconds the clocks move between two cycles (a daemon polls every 30 s or more)."""


@dataclass(slots=True)
class Options:
    """What to run and how."""

    sizes: list[str]
    seed: int = 7
    rate_limit: float = 3.0
    latency_ms: int = 150
    timing_latency_ms: int = 300
    timing_sizes: set[str] = field(default_factory=lambda: {"S", "M"})
    unlimited_sizes: set[str] = field(default_factory=set)
    workdir: Path = WORKDIR
    results: Path | None = RESULTS
    baseline: bool = True
    first_ever: bool = True


@dataclass(slots=True)
class Measure:
    """One measured CLI cycle."""

    scenario: str
    counts: Counts
    report: dict[str, Any]
    proc: ProcResult
    latency_ms: int
    rate_limit: float
    expected_writes: int | None = None
    kpi_changes: int | None = None

    @property
    def duration_s(self) -> float:
        """The cycle's own duration, as ``sync --json`` reports it."""
        return float(self.report["duration_s"])

    @property
    def at_limit_s(self) -> float:
        """Requests divided by 3 per second: the floor Notion's limit sets."""
        return self.counts.total / 3

    def path(self, key: str) -> int:
        """Requests to one ``METHOD /template``."""
        return self.counts.by_path.get(key, 0)


@dataclass(slots=True)
class SizeResult:
    """Everything measured at one size."""

    size: str
    pages: dict[str, int]
    provision: Counts
    startup_cpu_s: float
    cold_read_bound: int
    wrong_pages: int
    first_ever_writes: int = 0
    measures: list[Measure] = field(default_factory=list)
    baseline: list[tuple[str, BaselineCycle, float]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def get(self, scenario: str) -> Measure | None:
        """The measure of one scenario, if it ran."""
        return next((m for m in self.measures if m.scenario == scenario), None)


@dataclass(slots=True)
class Files:
    """The data files and state stores of one size."""

    root: Path
    provisioned: Path
    computed: Path
    empty: Path
    state0: Path


def measure(
    cli: Cli, emu: Emulated, scenario: str, *, rate: float, latency: int
) -> Measure:
    """Run one ``sync --once --json`` and count its requests."""
    reset_stats(emu)
    proc = cli.run("sync", "--once", "--json")
    result = proc.json()
    counts = stats(emu)
    print(
        f"  {scenario:<28} {counts.total:>6} requests  "
        f"{result['duration_s']:>7.1f} s  pages written {result['pages_written']}",
        flush=True,
    )
    return Measure(scenario, counts, result, proc, latency, rate)


def _workdir(root: Path, name: str) -> Path:
    path = root / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def provision(files: Files, options: Options, size: str) -> Counts:
    """Provision through the CLI; keep the data file and the state store."""
    cli = Cli(
        _workdir(files.root, "main"), now=BENCH_NOW - timedelta(days=HISTORY_DAYS)
    )
    log = files.root / "emulator.log"
    rate = options.rate_limit
    with EmulatorProcess(
        files.provisioned, rate_limit=rate, latency_ms=0, log=log
    ) as emu:
        set_clock(emu, cli.now)
        cli.write_config(emu.base_url, pace_rps=rate)
        reset_stats(emu)
        cli.run("provision", "--parent", emu.root_page_id, "--json").json()
        counts = stats(emu)
    shutil.copy(cli.workdir / "state.db", files.state0)
    print(f"  provisioning                 {counts.total:>6} requests", flush=True)
    return counts


def file_info(path: Path) -> tuple[dict[str, str], str]:
    """Data source ids by database key, and a person user id, from a data file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    keys = {
        "Companies": "companies",
        "Contacts": "contacts",
        "Opportunities": "opportunities",
        "Interactions": "interactions",
    }
    sources = {}
    for source_id, source in data["data_sources"].items():
        title = "".join(t["plain_text"] for t in source["title"])
        if title in keys:
            sources[keys[title]] = source_id
    person = next(u["id"] for u in data["users"] if u["type"] == "person")
    return sources, person


def fresh_run(files: Files, name: str) -> Cli:
    """A work directory with the state store as provisioning left it."""
    workdir = files.root / name
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    shutil.copy(files.state0, workdir / "state.db")
    return Cli(workdir, now=BENCH_NOW)


def data_copy(source: Path, files: Files, name: str) -> Path:
    """A copy of a data file for one emulator run."""
    target = files.root / name
    shutil.copy(source, target)
    return target


@contextlib.contextmanager
def _emulator(data: Path, rate: float, latency: int, log: Path) -> Iterator[Emulated]:
    """``emulator serve --data`` at the limit; with it off, the non-saving copy.

    Without the rate limit nothing hides the time ``serve`` spends saving the whole
    data file after each write (about 1 s per write at L), so the rate-off runs use
    :class:`InProcessEmulator` over loopback HTTP instead.
    """
    if rate == 0:
        with InProcessEmulator(data) as emu:
            yield emu
        return
    with EmulatorProcess(data, rate_limit=rate, latency_ms=latency, log=log) as served:
        yield served


def main_sequence(
    files: Files,
    data: Dataset,
    ids: dict[str, str],
    options: Options,
    result: SizeResult,
) -> list[Edit]:
    """Cold start, idle, stage change and 1% edited, at the configured limit."""
    rate = 0.0 if result.size in options.unlimited_sizes else options.rate_limit
    latency = 0 if rate == 0 else options.latency_ms
    cli = fresh_run(files, "main")
    log = EditLog()
    live = data_copy(files.computed, files, "live.json")
    with _emulator(live, rate, latency, files.root / "emulator.log") as emu:
        set_clock(emu, cli.now)
        cli.write_config(emu.base_url, pace_rps=rate)

        def run(scenario: str) -> Measure:
            m = measure(cli, emu, scenario, rate=rate, latency=latency)
            result.measures.append(m)
            return m

        run("cold start")
        cli.advance(emu, CYCLE_GAP_S)
        run("after cold start")
        cli.advance(emu, CYCLE_GAP_S)
        idle = run("idle")
        cli.advance(emu, CYCLE_GAP_S)
        opp = pick_stage_change(data)
        edit = stage_edit(data, opp, "project_launched", log)
        stage = _edited_cycle(cli, emu, data, ids, [edit], log, run, "one stage change")
        stage.kpi_changes = _kpi_changes(idle.report, stage.report)
        cli.advance(emu, CYCLE_GAP_S)
        run("after stage change")
        cli.advance(emu, CYCLE_GAP_S)
        edits = one_percent_edits(data, seed=options.seed, log=log)
        _edited_cycle(cli, emu, data, ids, edits, log, run, "1% edited")
    return edits


def _edited_cycle(
    cli: Cli,
    emu: Emulated,
    data: Dataset,
    ids: dict[str, str],
    edits: list[Edit],
    log: EditLog,
    run: Any,
    scenario: str,
) -> Measure:
    """Apply edits as a person, then run a cycle; predict the pages to write."""
    before = expected_values(data, last_stage_change=dict(log.stage_changes))
    log.stamped.clear()
    with person_client(emu) as client:
        apply_edits(client, edits, ids)
    after = expected_values(data, last_stage_change=dict(log.stage_changes))
    m: Measure = run(scenario)
    m.expected_writes = len(changed_pages(before, after) | log.stamped)
    return m


def _kpi_changes(before: dict[str, Any], after: dict[str, Any]) -> int:
    old, new = before["kpis"], after["kpis"]
    return sum(1 for key in new if old.get(key) != new[key])


def timing_run(files: Files, options: Options, result: SizeResult) -> None:
    """A cold start again, at the timing latency (300 ms), for wall time."""
    cli = fresh_run(files, "timing")
    live = data_copy(files.computed, files, "timing.json")
    latency = options.timing_latency_ms
    with EmulatorProcess(
        live,
        rate_limit=options.rate_limit,
        latency_ms=latency,
        log=files.root / "emulator.log",
    ) as emu:
        set_clock(emu, cli.now)
        cli.write_config(emu.base_url, pace_rps=options.rate_limit)
        m = measure(
            cli,
            emu,
            f"cold start, {latency} ms",
            rate=options.rate_limit,
            latency=latency,
        )
    result.measures.append(m)


def first_ever_run(files: Files, result: SizeResult) -> None:
    """A cold start on data whose owned values are all empty, rate limit off."""
    cli = fresh_run(files, "first")
    with InProcessEmulator(files.empty) as emu:
        set_clock(emu, cli.now)
        cli.write_config(emu.base_url, pace_rps=0)
        m = measure(cli, emu, "first-ever run", rate=0, latency=0)
    m.expected_writes = result.first_ever_writes
    result.measures.append(m)


def baseline_run(
    files: Files,
    data: Dataset,
    edits: list[Edit],
    ids: dict[str, str],
    result: SizeResult,
) -> None:
    """Two cycles of the naive baseline: idle, then after the same 1% edits."""
    sources, _person = file_info(files.provisioned)
    with InProcessEmulator(files.computed) as emu:
        set_clock(emu, BENCH_NOW)
        naive = NaiveSync(emu.base_url, TOKEN, sources)
        try:
            _baseline_cycle(emu, naive, data, "idle", result)
            with person_client(emu) as client:
                apply_edits(client, edits, ids)
            _baseline_cycle(emu, naive, data, "1% edited", result)
        finally:
            naive.close()


def _baseline_cycle(
    emu: Emulated, naive: NaiveSync, data: Dataset, name: str, result: SizeResult
) -> None:
    reset_stats(emu)
    started = time.monotonic()
    cycle = naive.cycle(today=data.today)
    elapsed = time.monotonic() - started
    counted = stats(emu).total
    if counted != cycle.total:
        result.notes.append(f"baseline {name}: emulator counted {counted}")
    result.baseline.append((name, cycle, elapsed))
    print(f"  baseline {name:<19} {cycle.total:>6} requests  {elapsed:>7.1f} s")


def bench_size(size: str, options: Options) -> SizeResult:
    """Every scenario at one size."""
    root = options.workdir / size
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    files = Files(
        root,
        root / "provisioned.json",
        root / "computed.json",
        root / "empty.json",
        root / "state0.db",
    )
    print(f"size {size} ({SIZES[size]:,} pages)", flush=True)
    provisioned = provision(files, options, size)
    data = generate(SIZES[size], seed=options.seed, now=BENCH_NOW)
    ids = _fill_files(files, data, options)
    result = SizeResult(
        size=size,
        pages=data.counts(),
        provision=provisioned,
        startup_cpu_s=startup_cpu_s(root),
        cold_read_bound=checks.cold_read_bound(data),
        wrong_pages=len(pick_wrong(data, seed=options.seed)),
        first_ever_writes=len(
            differs_from_empty(expected_values(data, stage_dates=False))
        ),
    )
    edits = main_sequence(files, data, ids, options, result)
    if size in options.timing_sizes and size not in options.unlimited_sizes:
        timing_run(files, options, result)
    if options.first_ever:
        first_ever_run(files, result)
    if options.baseline:
        baseline_run(files, data, edits, ids, result)
    return result


def _fill_files(files: Files, data: Dataset, options: Options) -> dict[str, str]:
    """Write the computed and the empty data files; page ids by key."""
    sources, person = file_info(files.provisioned)
    values = expected_values(data)
    wrong = pick_wrong(data, seed=options.seed)
    started = time.monotonic()
    shutil.copy(files.provisioned, files.computed)
    ids = write_dataset(
        files.computed, data, Fill(values, wrong), sources=sources, person_id=person
    )
    if options.first_ever:
        shutil.copy(files.provisioned, files.empty)
        write_dataset(
            files.empty,
            data,
            Fill(values, {}, empty=True),
            sources=sources,
            person_id=person,
        )
    print(f"  data files written in {time.monotonic() - started:.1f} s", flush=True)
    return ids


def parse_args(argv: list[str] | None = None) -> Options:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--sizes", default="S,M", help="comma list of XS, S, M, L")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--latency-ms", type=int, default=150)
    parser.add_argument("--timing-latency-ms", type=int, default=300)
    parser.add_argument(
        "--timing-sizes", default="S,M", help="sizes whose cold start is timed again"
    )
    parser.add_argument(
        "--unlimited-sizes", default="", help="sizes run with the rate limit off"
    )
    parser.add_argument("--workdir", type=Path, default=WORKDIR)
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument(
        "--skip", default="", help="comma list of parts to skip: baseline, first-ever"
    )
    args = parser.parse_args(argv)
    sizes = [s.strip().upper() for s in args.sizes.split(",") if s.strip()]
    skipped = {s.strip().lower() for s in args.skip.split(",") if s.strip()}
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(
            f"unknown size {', '.join(unknown)}; choose among {', '.join(SIZES)}"
        )
    return Options(
        sizes=sizes,
        seed=args.seed,
        latency_ms=args.latency_ms,
        timing_latency_ms=args.timing_latency_ms,
        timing_sizes={
            s.strip().upper() for s in args.timing_sizes.split(",") if s.strip()
        },
        unlimited_sizes={
            s.strip().upper() for s in args.unlimited_sizes.split(",") if s.strip()
        },
        workdir=args.workdir,
        results=args.results,
        baseline="baseline" not in skipped,
        first_ever="first-ever" not in skipped,
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write RESULTS.md."""
    options = parse_args(argv)
    started = time.monotonic()
    results = [bench_size(size, options) for size in options.sizes]
    elapsed = time.monotonic() - started
    if options.results is not None:
        text = report.render(results, options, elapsed_s=elapsed)
        options.results.write_text(text, encoding="utf-8")
        print(f"wrote {options.results} ({elapsed / 60:.1f} min)")
    failed = [c for r in results for c in checks.evaluate(r) if c.met is False]
    if failed:
        print(f"{len(failed)} targets not met; see {options.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
