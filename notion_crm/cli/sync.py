"""``sync``, ``run``, ``status`` and ``history``: the engine and what it remembers."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

import click

from notion_crm.cli.common import (
    config_option,
    emit_json,
    json_option,
    opened_store,
    reported_errors,
    settings_from,
)
from notion_crm.clock import clock_from_env
from notion_crm.daemon import Daemon
from notion_crm.errors import ConfigError, CRMError
from notion_crm.notion.ids import parse_page_ref
from notion_crm.store.state import RunRecord, StateStore
from notion_crm.sync.history import stage_history
from notion_crm.sync.report import CycleReport
from notion_crm.wiring import open_engine, open_gateway

logger = logging.getLogger(__name__)


@click.command()
@click.option("--once", is_flag=True, help="Run one cycle and exit (the default).")
@click.option(
    "--full", is_flag=True, help="Re-read everything instead of what changed."
)
@click.option(
    "--dry-run", is_flag=True, help="Read and show the writes; write nothing."
)
@config_option
@json_option
def sync(
    once: bool, full: bool, dry_run: bool, config_path: Path | None, as_json: bool
) -> None:
    """Run one sync cycle: stamp stage dates, recompute figures, update the dashboard.

    Example: notion-crm sync --once --json
    """
    with reported_errors(as_json):
        settings = settings_from(config_path)
        with StateStore.lock(settings.state.path):
            store = opened_store(settings)
            gateway = open_gateway(settings)
            engine = open_engine(settings, gateway, store)
            started = clock_from_env()()
            try:
                report = engine.cycle(full=full, dry_run=dry_run)
            except Exception as exc:
                _record_failure(store, full, started, exc)
                raise
            finally:
                gateway.close()
            if not dry_run:
                store.record_run(
                    RunRecord(
                        "full" if full else "incremental",
                        started,
                        report.duration_s,
                        sum(report.requests.values()),
                        report.pages_read,
                        report.pages_written,
                        None,
                    )
                )
        _show_cycle(report, as_json)


def _record_failure(
    store: StateStore, full: bool, started: datetime, error: Exception
) -> None:
    """Log the failed cycle; a failure to log never hides the cycle's own error."""
    try:
        store.record_run(
            RunRecord(
                "full" if full else "incremental",
                started,
                None,
                None,
                None,
                None,
                str(error),
            )
        )
    except CRMError:
        logger.warning("could not record the failed cycle in the state store")


def _show_cycle(report: CycleReport, as_json: bool) -> None:
    if as_json:
        emit_json(report.as_json())
        return
    verb = "would write" if report.dry_run else "wrote"
    written = report.pages_written
    click.echo(
        f"Read {report.pages_read} pages, {verb} {written} "
        f"pages and {report.blocks_written} blocks in {report.duration_s:.1f}s "
        f"({sum(report.requests.values())} requests)."
    )
    for change in report.changes:
        click.echo(
            f"  {change.database} · {change.page_name} · {change.property}: "
            f"{change.before} → {change.after}"
        )
    for transition in report.transitions:
        click.echo(
            f"  stage · {transition.page_name}: "
            f"{transition.from_stage} → {transition.to_stage}"
        )
    for warning in report.warnings:
        click.echo(f"warning: {warning}")


@click.command()
@config_option
def run(config_path: Path | None) -> None:
    """Run the daemon: a cycle every interval, a full reconcile every few hours.

    Stops cleanly on SIGTERM or Ctrl-C, after the running cycle.

    Example: notion-crm run --config /etc/notion-crm/config.toml
    """
    with reported_errors():
        settings = settings_from(config_path)
        with StateStore.lock(settings.state.path):
            store = opened_store(settings)
            gateway = open_gateway(settings)
            engine = open_engine(settings, gateway, store)
            daemon = Daemon(engine, store, settings.sync, clock=clock_from_env())
            try:
                daemon.serve()
            finally:
                gateway.close()
            if daemon.stopped_for is not None:
                raise daemon.stopped_for


@click.command()
@config_option
@json_option
def status(config_path: Path | None, as_json: bool) -> None:
    """Show the last cycles, the cursors and the pending writes.

    Example: notion-crm status
    """
    with reported_errors(as_json):
        settings = settings_from(config_path)
        store = opened_store(settings, readonly=True)
        runs = store.recent_runs(10)
        cursors = store.cursors()
        pending = store.pending()
        if as_json:
            emit_json(
                {
                    "runs": [
                        {
                            "kind": r.kind,
                            "started": r.started.isoformat(),
                            "duration_s": r.duration_s,
                            "requests": r.requests,
                            "pages_read": r.pages_read,
                            "pages_written": r.pages_written,
                            "error": r.error,
                        }
                        for r in runs
                    ],
                    "cursors": {
                        db: {
                            "since": c.since.isoformat() if c.since else None,
                            "cold_done": c.cold_done,
                        }
                        for db, c in cursors.items()
                    },
                    "pending": [
                        {
                            "page_id": p.page_id,
                            "property": p.property,
                            "error": p.error,
                            "since": p.since.isoformat(),
                        }
                        for p in pending
                    ],
                }
            )
            return
        click.echo(
            "Last runs (times in UTC):"
            if runs
            else "No cycle has run yet: try notion-crm sync --once."
        )
        for r in runs:
            outcome = f"{r.requests} requests"
            if r.pages_written is not None:
                outcome += f", {r.pages_written} pages written"
            if r.error:
                outcome = f"error: {r.error}"
            duration = f"{r.duration_s:.1f}s" if r.duration_s is not None else "-"
            click.echo(
                f"  {r.started:%Y-%m-%d %H:%M:%S} {r.kind:<11} {duration:>7}  {outcome}"
            )
        click.echo("Cursors:")
        for db, c in sorted(cursors.items()):
            click.echo(
                f"  {db:<13} {c.since.isoformat() if c.since else '(full read next)'}"
            )
        click.echo(f"Pending writes: {len(pending)}")
        for p in pending:
            click.echo(f"  {p.page_id} {p.property}: {p.error}")


@click.command()
@click.argument("opportunity")
@config_option
@json_option
def history(opportunity: str, config_path: Path | None, as_json: bool) -> None:
    """Show an opportunity's stage changes and the time spent in each stage.

    OPPORTUNITY is its id, its Notion URL, or its exact name.

    Example: notion-crm history "Website redesign"
    """
    with reported_errors(as_json):
        settings = settings_from(config_path)
        store = opened_store(settings, readonly=True)
        page_id = _find_opportunity(store, opportunity)
        rows = stage_history(store, page_id, now=clock_from_env()())
        if as_json:
            emit_json({"page_id": page_id, "stages": [r.as_json() for r in rows]})
            return
        if not rows:
            click.echo("No stage change recorded for this opportunity yet.")
        else:
            click.echo(f"Entered ({settings.crm.timezone})  stage, time spent in it")
        for row in rows:
            entered = row.entered.astimezone(settings.crm.zone)
            click.echo(
                f"  {entered:%Y-%m-%d %H:%M}  {row.stage_name:<24} {row.duration_text}"
            )


def _find_opportunity(store: StateStore, text: str) -> str:
    mirror = store.load_mirror().get("opportunities", {})
    try:
        page_id = parse_page_ref(text)
        if page_id in mirror or store.transitions(page_id):
            return page_id
    except ConfigError:
        pass
    named = [r.id for r in mirror.values() if r.name == text.strip()]
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        raise ConfigError(
            f"{len(named)} opportunities are named {text!r}.",
            hint="Give its id or URL instead.",
        )
    raise ConfigError(
        f"No opportunity {text!r} in the state store.",
        hint="Check the name (exact), or run notion-crm sync --once first.",
    )
