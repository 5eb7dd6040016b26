"""``notion-crm provision``: build or repair the CRM under a page."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from notion_crm.cli.common import (
    config_option,
    emit_json,
    err_console,
    is_terminal,
    json_option,
    opened_store,
    reported_errors,
    settings_from,
)
from notion_crm.errors import ConfigError
from notion_crm.notion.ids import parse_page_ref
from notion_crm.provision import layout
from notion_crm.provision.apply import Provisioner, ProvisionResult
from notion_crm.provision.plan import Plan
from notion_crm.schema.loader import load_schema
from notion_crm.schema.model import Locale
from notion_crm.store.state import RunRecord, StateStore
from notion_crm.wiring import open_gateway


@click.command()
@click.option("--parent", help="Page to build under: id (dashed or not) or Notion URL.")
@click.option("--locale", type=click.Choice(["en", "fr"]), help="Names in Notion.")
@click.option("--dry-run", is_flag=True, help="Print the plan; write nothing.")
@config_option
@json_option
def provision(
    parent: str | None,
    locale: str | None,
    dry_run: bool,
    config_path: Path | None,
    as_json: bool,
) -> None:
    """Build or repair the CRM (dashboard and four databases) under a page.

    Safe to run again: on an unchanged workspace it writes nothing, and a run that
    was interrupted finishes the job without duplicates.

    Example: notion-crm provision --parent https://www.notion.so/My-page-0123…
    """
    with reported_errors(as_json):
        settings = settings_from(config_path)
        schema = load_schema()
        with StateStore.lock(settings.state.path):
            store = opened_store(settings)
            chosen: Locale = locale or _stored_locale(store) or settings.crm.locale  # type: ignore[assignment]
            parent_id = _parent(parent, store)
            gateway = open_gateway(settings)
            progress = (
                (lambda m: err_console.print(f"  {m}"))
                if is_terminal() and not as_json
                else None
            )
            provisioner = Provisioner(gateway, store, schema, chosen, progress=progress)
            started = time.monotonic()
            try:
                if dry_run:
                    _show_plan(provisioner.plan(parent_id), schema, chosen, as_json)
                    return
                result = provisioner.run(parent_id)
            finally:
                requests = sum(gateway.stats.snapshot()["by_method"].values())
                gateway.close()
            store.record_run(
                RunRecord(
                    "provision",
                    datetime.now(UTC),
                    time.monotonic() - started,
                    requests,
                    None,
                    None,
                    None,
                )
            )
            _show_result(result, requests, as_json)


def _stored_locale(store: StateStore) -> str | None:
    binding = store.binding()
    return binding.locale if binding and binding.dashboard_page_id else None


def _parent(parent: str | None, store: StateStore) -> str:
    if parent:
        return parse_page_ref(parent)
    binding = store.binding()
    if binding and binding.parent_page_id:
        return binding.parent_page_id
    raise ConfigError(
        "No parent page given.",
        hint="Run notion-crm provision --parent PAGE (the page's id or link).",
    )


def _show_plan(plan: Plan, schema: Any, locale: Locale, as_json: bool) -> None:
    actions = [a.describe(schema, locale) for a in plan.actions]
    if as_json:
        bodies = []
        for action in plan.actions:
            entry: dict[str, Any] = {
                "action": action.kind,
                "database": action.db,
                "keys": list(action.keys),
            }
            if action.kind == "create_database" and action.db:
                entry["body"] = layout.database_body(
                    schema,
                    action.db,
                    plan.binding.dashboard_page_id or "<dashboard>",
                    locale,
                )
            if action.kind == "create_dashboard":
                entry["body"] = layout.dashboard_body(
                    schema, plan.binding.parent_page_id or "", locale
                )
            bodies.append(entry)
        emit_json(
            {
                "dry_run": True,
                "actions": bodies,
                "unchanged": plan.unchanged,
                "warnings": plan.warnings,
            }
        )
        return
    if not actions:
        click.echo("Nothing to do: the CRM matches the schema.")
    for line in actions:
        click.echo(f"would {line}")
    for warning in plan.warnings:
        click.echo(f"warning: {warning}")


def _show_result(result: ProvisionResult, requests: int, as_json: bool) -> None:
    if as_json:
        emit_json(result.as_json() | {"requests": requests})
        return
    click.echo(
        f"Created {len(result.created)}, repaired {len(result.repaired)}, "
        f"unchanged {len(result.unchanged)} ({requests} requests)."
    )
    for warning in result.warnings:
        click.echo(f"warning: {warning}")
    if result.binding.dashboard_page_id:
        click.echo(f"Dashboard page: {result.binding.dashboard_page_id}")
        click.echo("Next: notion-crm sync --once, then notion-crm run.")
