"""``benchmarks/RESULTS.md``: the machine, the method, the figures and the targets."""

from __future__ import annotations

import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.checks import evaluate

if TYPE_CHECKING:
    from benchmarks.run import Options, SizeResult

METHOD = """\
## Method

- Each size is provisioned with `notion-crm provision` against `notion-crm emulator
  serve` (127.0.0.1, rate limit 3/s). The generator (`benchmarks/generate.py`, seed
  {seed}) then adds the pages straight into the emulator's data file with
  `bulk_add_pages`, so the state store knows the CRM but has never read a page. Owned
  values are filled in with the product's pure `compute()`, except 2% of the pages,
  left with one value wrong or empty. Relations are two-way, key accounts have more than
  25 opportunities, some notes run past 2,000 characters, and `created_time` spreads
  over 540 days.
- Scenarios run the real CLI, `notion-crm sync --once --json`, one process per cycle,
  against `emulator serve --data FILE --rate-limit {rate} --latency-ms {latency}`.
  Between cycles the emulator's clock and the engine's `NOTION_CRM_NOW` move 120 s.
  Edits are made as a person (person token) through the emulator's HTTP API.
- Requests are the integration's, counted by `/_emulator/stats` (reset before each
  cycle); reads are GETs plus data source queries; page and block writes are
  `PATCH /v1/pages/{{id}}` and `PATCH /v1/blocks/{{id}}`.
- Wall time is the `duration_s` of `sync --json` (the cycle, without interpreter
  start-up); "at limit" is requests ÷ 3.
- Engine CPU is the user+sys time of the `sync` process (`os.wait4` rusage of that
  child) minus the least of three empty runs (`notion-crm sync --help`, which imports
  the whole sync path): {startup}. Peak memory is that process's own `VmHWM`,
  written at exit by `benchmarks/measured.py` (the child's `ru_maxrss` is not used:
  Linux carries the runner's high-water mark across `exec` into it).
- The first-ever run (every owned value empty) and the naive baseline run with the rate
  limit off, no latency, and no pacing, against an in-process emulator loaded from the
  same data file that does not save after each write. The baseline re-reads every page
  and PATCHes every computed property of every page; its time at Notion's limit is its
  request count ÷ 3 requests per second, not a measured time.
"""


def _machine() -> list[str]:
    cpu = platform.processor() or "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return [
        f"- CPU: {cpu}, {os.cpu_count()} cores",
        f"- Python {platform.python_version()} ({sys.implementation.name}), "
        f"{platform.system()} {platform.release()}",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
    ]


def _mark(met: bool | None) -> str:
    if met is None:
        return "n/a"
    return "met" if met else "**not met**"


def _measures(r: SizeResult) -> list[str]:
    lines = [
        "| scenario | GET | POST | PATCH | DELETE | total | 429 | pages read | "
        "pages written | blocks written | wall s | at limit s | wall ÷ limit | "
        "CPU s | peak MB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | "
        "---: | ---: | ---: | ---: | ---: |",
    ]
    for m in r.measures:
        c = m.counts.by_method
        ratio = m.duration_s / m.at_limit_s if m.at_limit_s else 0.0
        setting = "rate off" if m.rate_limit == 0 else f"{m.latency_ms} ms"
        lines.append(
            f"| {m.scenario} ({setting}) | {c['GET']} | {c['POST']} | {c['PATCH']} | "
            f"{c['DELETE']} | {m.counts.total} | {m.counts.rate_limited} | "
            f"{m.report['pages_read']} | {m.report['pages_written']} | "
            f"{m.report['blocks_written']} | {m.duration_s:.1f} | "
            f"{m.at_limit_s:.1f} | {ratio:.2f} | {m.proc.cpu_s:.2f} | "
            f"{m.proc.maxrss_mb:.0f} |"
        )
    return lines


def _baseline(r: SizeResult) -> list[str]:
    lines = [
        "| baseline cycle | queries | PATCH | total | time at 3 rps | "
        "notion-crm requests | ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, cycle, _elapsed in r.baseline:
        m = r.get(name)
        ours = m.counts.total if m else 0
        ratio = f"{cycle.total / ours:.1f}" if ours else "—"
        lines.append(
            f"| {name} | {cycle.queries} | {cycle.patches} | {cycle.total} | "
            f"{cycle.total / 3 / 60:.1f} min | {ours} | {ratio} |"
        )
    return lines


def _paths(r: SizeResult) -> list[str]:
    lines = ["| scenario | requests by endpoint |", "| --- | --- |"]
    for m in r.measures:
        parts = ", ".join(f"{k} {v}" for k, v in sorted(m.counts.by_path.items()))
        lines.append(f"| {m.scenario} | {parts} |")
    return lines


def _size(r: SizeResult) -> list[str]:
    pages = ", ".join(f"{db} {n:,}" for db, n in r.pages.items())
    lines = [
        f"## Size {r.size}: {sum(r.pages.values()):,} pages",
        "",
        f"{pages}. Provisioning: {r.provision.total} requests. Pages left wrong or "
        f"empty: {r.wrong_pages}. Cold start read bound: {r.cold_read_bound}.",
        "",
        *_measures(r),
        "",
    ]
    if r.baseline:
        lines += [*_baseline(r), ""]
    lines += ["| target | figure | limit | |", "| --- | --- | --- | --- |"]
    lines += [
        f"| {c.name} | {c.figure} | {c.limit} | {_mark(c.met)} |" for c in evaluate(r)
    ]
    lines += ["", "Requests by endpoint:", "", *_paths(r), ""]
    lines += [f"- {note}" for note in r.notes]
    return lines


def render(results: list[SizeResult], options: Options, *, elapsed_s: float) -> str:
    """The whole RESULTS.md text."""
    startup = ", ".join(f"{r.size} {r.startup_cpu_s:.2f} s" for r in results)
    lines = [
        "# Benchmark results",
        "",
        "Written by `python -m benchmarks.run "
        f"--sizes {','.join(options.sizes)}` in {elapsed_s / 60:.1f} min.",
        "",
        *_machine(),
        "",
        METHOD.format(
            seed=options.seed,
            rate=options.rate_limit,
            latency=options.latency_ms,
            startup=startup,
        ),
    ]
    skipped = [
        name
        for name, ran in (
            ("baseline", options.baseline),
            ("first-ever run", options.first_ever),
        )
        if not ran
    ]
    if skipped:
        lines.append(f"Skipped in this run: {', '.join(skipped)}.\n")
    for r in results:
        if r.size in options.unlimited_sizes:
            lines.append(
                f"Size {r.size} ran its scenarios with the rate limit off (no "
                "latency, no pacing, in-process emulator), so its times say nothing "
                "of Notion's limit; its request counts, CPU and memory stand.\n"
            )
        lines += _size(r)
    return "\n".join(lines) + "\n"
