"""``notion-crm doctor``: what is wrong with the workspace, and how to fix it."""

from __future__ import annotations

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
from notion_crm.provision.doctor import diagnose
from notion_crm.schema.loader import load_schema
from notion_crm.wiring import open_gateway


@click.command()
@config_option
@json_option
def doctor(config_path: Path | None, as_json: bool) -> None:
    """Compare the live workspace with the schema; exit 1 if sync would be wrong.

    Example: notion-crm doctor
    """
    with reported_errors(as_json):
        settings = settings_from(config_path)
        store = opened_store(settings, readonly=settings.state.path.exists())
        gateway = open_gateway(settings)
        try:
            findings = diagnose(gateway, load_schema(), store.binding())
        finally:
            gateway.close()
        errors = [f for f in findings if f.severity == "error"]
        if as_json:
            emit_json({"ok": not errors, "findings": [f.as_json() for f in findings]})
        else:
            if not findings:
                click.echo("All good: the workspace matches the schema.")
            for finding in findings:
                click.echo(
                    f"[{finding.severity}] {finding.what}\n    fix: {finding.fix}"
                )
        if errors:
            raise SystemExit(1)
