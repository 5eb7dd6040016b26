"""``doctor``: compare schema, state store and the live workspace, and say the fix.

Doctor only reads. Each finding names what is wrong and what to do; findings of
severity ``error`` would make sync wrong, so the command exits 1 when there are any.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from notion_crm.errors import AccessError, WorkspaceError
from notion_crm.notion.datasource import DataSourceInfo
from notion_crm.notion.gateway import NotionGateway
from notion_crm.provision.binder import bind_database, nfc
from notion_crm.provision.observe import Observation, observe
from notion_crm.schema.binding import Binding
from notion_crm.schema.model import Locale, Schema

Severity = Literal["error", "warning", "info"]

FREE_UPLOAD_CAP = 5 * 1024 * 1024
SHARE_STEPS = (
    "In Notion, open the CRM's parent page, ••• menu → Connections → add your "
    "integration (sharing the parent shares everything under it)."
)


@dataclass(frozen=True, slots=True)
class Finding:
    severity: Severity
    what: str
    fix: str

    def as_json(self) -> dict[str, str]:
        return {"severity": self.severity, "what": self.what, "fix": self.fix}


def diagnose(
    gateway: NotionGateway, schema: Schema, binding: Binding | None
) -> list[Finding]:
    """Every finding about the workspace, most serious first."""
    if binding is None or not binding.parent_page_id:
        return [
            Finding(
                "error",
                "No CRM is provisioned in this state store.",
                "Run notion-crm provision --parent PAGE.",
            )
        ]
    findings: list[Finding] = []
    me = gateway.me()
    findings += _workspace(gateway, me, binding)
    try:
        seen = observe(gateway, schema, binding, binding.parent_page_id, binding.locale)
    except WorkspaceError:
        return [
            *findings,
            Finding(
                "error",
                f"The CRM's parent page {binding.parent_page_id} is not shared with "
                "the integration (or was deleted).",
                SHARE_STEPS,
            ),
        ]
    findings += _structure(schema, binding, seen)
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(findings, key=lambda f: order[f.severity])


def _workspace(
    gateway: NotionGateway, me: dict[str, Any], binding: Binding
) -> list[Finding]:
    found: list[Finding] = []
    bot = me.get("bot") or {}
    workspace = bot.get("workspace_id")
    if binding.workspace_id and workspace and workspace != binding.workspace_id:
        found.append(
            Finding(
                "error",
                "The token belongs to workspace "
                f"{bot.get('workspace_name') or workspace}, "
                "not the one this CRM was provisioned in.",
                "Set NOTION_TOKEN to the integration of the CRM's workspace.",
            )
        )
    cap = (bot.get("workspace_limits") or {}).get("max_file_upload_size_in_bytes")
    if cap is not None and cap <= FREE_UPLOAD_CAP:
        members = sum(1 for u in gateway_users(gateway) if u.get("type") == "person")
        if members > 1:
            found.append(
                Finding(
                    "warning",
                    f"This is a Free workspace with {members} members: Notion stops "
                    "creating "
                    "pages and rows after 1,000 blocks in all.",
                    "Upgrade the workspace, or keep it to a single member.",
                )
            )
    return found


def gateway_users(gateway: NotionGateway) -> list[dict[str, Any]]:
    try:
        response = gateway.request("GET", "users", kind="read")
    except AccessError:
        return []
    return list(response.get("results") or [])


def _structure(schema: Schema, binding: Binding, seen: Observation) -> list[Finding]:
    found: list[Finding] = []
    locale = binding.locale
    if seen.dashboard is None:
        return [
            Finding(
                "error",
                "The dashboard page is missing or not shared.",
                "Run notion-crm provision to rebuild it. " + SHARE_STEPS,
            )
        ]
    by_id = {b.database_id: k for k, b in binding.databases.items()}
    unshared = {by_id.get(i, i) for i in seen.unreachable}
    for key in sorted(unshared):
        name = (
            schema.workspace.database(key).name(locale)
            if key in by_id.values()
            else key
        )
        found.append(
            Finding(
                "error",
                f"Database {name} is not shared with the integration.",
                SHARE_STEPS,
            )
        )
    for key in seen.trashed:
        found.append(
            Finding(
                "error",
                f"Database {schema.workspace.database(key).name(locale)} is in "
                "Notion's trash.",
                "Restore it from the trash in Notion (Settings → Trash); provision "
                "would otherwise have to build an empty one.",
            )
        )
    for key, spec in schema.workspace.databases.items():
        db = seen.databases.get(key)
        if db is None and (key in unshared or key in seen.trashed):
            continue
        if db is None:
            found.append(
                Finding(
                    "error",
                    f"Database {spec.name(locale)} is missing or not shared.",
                    "Share it with the integration, or run notion-crm provision to "
                    "recreate it.",
                )
            )
            continue
        if len(db.data_source_ids) > 1:
            found.append(
                Finding(
                    "warning",
                    f"{spec.name(locale)} has {len(db.data_source_ids)} data sources.",
                    "notion-crm reads only the first; move other rows into it.",
                )
            )
        previous = binding.databases.get(key)
        _, result = bind_database(
            spec, db.info, previous, locale, database_id=db.database_id
        )
        for prop in result.missing:
            found.append(
                Finding(
                    "error",
                    f"{spec.name(locale)}: property "
                    f"{spec.properties[prop].name(locale)} is missing.",
                    "Run notion-crm provision to recreate it.",
                )
            )
        for prop, expected, actual in result.retyped:
            found.append(
                Finding(
                    "error",
                    f"{spec.name(locale)}: {spec.properties[prop].name(locale)} is "
                    f"{actual}, not {expected}.",
                    "Change its type back in Notion (provision never retypes your "
                    "data).",
                )
            )
        for _prop, old, new in result.renamed:
            found.append(
                Finding(
                    "info",
                    f"{spec.name(locale)}: {old!r} was renamed {new!r}.",
                    "Nothing to do: notion-crm follows properties by id.",
                )
            )
        for prop, option in result.missing_options:
            found.append(
                Finding(
                    "error",
                    f"{spec.name(locale)}: option {option} of {prop} is missing.",
                    "Run notion-crm provision to put it back.",
                )
            )
        for prop, name in result.unknown_options:
            if prop == "stage":
                found.append(
                    Finding(
                        "warning",
                        f"Stage option {name!r} has no role: it counts in no figure.",
                        "Rename it to a stage of the schema, or move its "
                        "opportunities.",
                    )
                )
        found += _relations(schema, key, db.info, seen, locale)
        names = {nfc(v.name) for v in db.views}
        for view in spec.views:
            if nfc(view.name(locale)) not in names:
                found.append(
                    Finding(
                        "warning",
                        f"View {view.name(locale)} of {spec.name(locale)} is missing.",
                        "Run notion-crm provision to recreate it.",
                    )
                )
    missing = [k.key for k in schema.rules.kpis if k.key not in seen.dashboard.callouts]
    if missing:
        found.append(
            Finding(
                "warning",
                f"Dashboard callouts missing: {', '.join(missing)}.",
                "Run notion-crm provision to put them back.",
            )
        )
    return found


def _relations(
    schema: Schema, key: str, info: DataSourceInfo, seen: Observation, locale: Locale
) -> list[Finding]:
    found: list[Finding] = []
    spec = schema.workspace.database(key)
    for prop in spec.properties.values():
        if prop.type != "relation" or prop.back_side:
            continue
        live = info.by_name(prop.name(locale))
        target = seen.databases.get(prop.target or "")
        if live is None or target is None:
            continue
        pair = (
            target.info.by_id(live.synced_property_id)
            if live.synced_property_id
            else None
        )
        if live.relation_kind != "dual_property" or pair is None:
            found.append(
                Finding(
                    "error",
                    f"{spec.name(locale)}.{prop.name(locale)} lost its pair in "
                    f"{schema.workspace.database(prop.target or '').name(locale)}.",
                    "Run notion-crm provision to make the relation two-way again.",
                )
            )
    return found
