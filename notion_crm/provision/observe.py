"""Looking at the workspace as it is: what of the CRM exists, found by id or marker.

Observation only reads. It finds the dashboard under the parent page (by the id the
state store remembers, else by its title), the four databases under the dashboard (by
the ``notion-crm:<key>`` marker their descriptions start with), their views, and the
dashboard's callouts (by their labels). A lost state store therefore never leads to a
second CRM.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from notion_crm.errors import AccessError, InvalidRequestError, WorkspaceError
from notion_crm.notion import blocks
from notion_crm.notion.datasource import (
    DataSourceInfo,
    database_data_sources,
    database_description,
    read_data_source,
)
from notion_crm.notion.gateway import NotionGateway
from notion_crm.notion.properties import normalize_id, plain_text
from notion_crm.provision.layout import marker_key
from notion_crm.schema.binding import Binding
from notion_crm.schema.model import LOCALES, Locale, Schema

logger = logging.getLogger(__name__)

Json = dict[str, Any]


@dataclass(slots=True)
class ViewInfo:
    id: str
    name: str
    type: str
    filter: Json | None
    sorts: list[Json]
    configuration: Json


@dataclass(slots=True)
class ObservedDatabase:
    key: str
    database_id: str
    info: DataSourceInfo
    data_source_ids: list[str]
    views: list[ViewInfo] = field(default_factory=list)


@dataclass(slots=True)
class ObservedDashboard:
    page_id: str
    callouts: dict[str, str] = field(default_factory=dict)
    as_of_block_id: str | None = None
    has_layout: bool = False
    last_block_id: str | None = None
    kpi_anchor_id: str | None = None
    kpi_columns: list[str] = field(default_factory=list)
    """Block ids of the columns holding the callouts, left to right."""


@dataclass(slots=True)
class Observation:
    workspace_id: str | None
    workspace_name: str | None
    plan: str | None
    parent_id: str
    dashboard: ObservedDashboard | None = None
    databases: dict[str, ObservedDatabase] = field(default_factory=dict)
    unreachable: list[str] = field(default_factory=list)
    """Databases the binding knows but the integration can no longer reach."""
    trashed: list[str] = field(default_factory=list)
    """Databases of the CRM (by marker) that a person moved to the trash."""


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def observe(
    gateway: NotionGateway,
    schema: Schema,
    binding: Binding | None,
    parent_id: str,
    locale: Locale,
) -> Observation:
    """Read what exists of the CRM under ``parent_id``."""
    me = gateway.me()
    bot = me.get("bot") or {}
    seen = Observation(
        workspace_id=bot.get("workspace_id"),
        workspace_name=bot.get("workspace_name"),
        plan=None,
        parent_id=check_parent(gateway, parent_id),
    )
    dashboard_id = find_dashboard(gateway, schema, binding, seen.parent_id)
    if dashboard_id is None:
        return seen
    children = gateway.list_block_children(dashboard_id)
    seen.dashboard = read_dashboard(gateway, schema, dashboard_id, children, locale)
    seen.databases = find_databases(gateway, children, binding, seen)
    for found in seen.databases.values():
        found.views = read_views(gateway, found.database_id)
    return seen


def check_parent(gateway: NotionGateway, parent_id: str) -> str:
    """The parent page's id, or a clear error when it is unusable."""
    try:
        page = gateway.retrieve_page(parent_id)
    except AccessError:
        if _is_database(gateway, parent_id):
            raise WorkspaceError(
                f"{parent_id} is a database, not a page.",
                hint="Give --parent a plain page; the CRM builds its own databases.",
            ) from None
        raise WorkspaceError(
            f"The parent page {parent_id} was not found, or is not shared with the "
            "integration.",
            hint="In Notion, open the page, ••• menu → Connections → add your "
            "integration; then run provision again.",
        ) from None
    except InvalidRequestError as exc:
        if _is_database(gateway, parent_id):
            raise WorkspaceError(
                f"{parent_id} is a database, not a page.",
                hint="Give --parent a plain page; the CRM builds its own databases.",
            ) from exc
        raise
    if blocks.is_trashed(page):
        raise WorkspaceError(
            f"The parent page {parent_id} is in the trash.",
            hint="Restore it in Notion, or choose another page.",
        )
    if _is_crm_dashboard(gateway, page):
        raise WorkspaceError(
            f"{parent_id} is a notion-crm dashboard, not the page it was built under.",
            hint="Give --parent the page that holds the dashboard.",
        )
    return normalize_id(str(page["id"]))


def _is_crm_dashboard(gateway: NotionGateway, page: Json) -> bool:
    """Whether a page holds the CRM's marked databases itself."""
    for child in gateway.list_block_children(str(page["id"])):
        if child.get("type") != "child_database" or blocks.is_trashed(child):
            continue
        try:
            database = gateway.retrieve_database(str(child["id"]))
        except AccessError:
            continue
        if marker_key(database_description(database)) is not None:
            return True
    return False


def _is_database(gateway: NotionGateway, some_id: str) -> bool:
    try:
        gateway.retrieve_database(some_id)
    except (AccessError, InvalidRequestError):
        return False
    return True


def find_dashboard(
    gateway: NotionGateway, schema: Schema, binding: Binding | None, parent_id: str
) -> str | None:
    """The dashboard page: the remembered id if alive, else by title."""
    if binding and binding.dashboard_page_id:
        try:
            page = gateway.retrieve_page(binding.dashboard_page_id)
            if not blocks.is_trashed(page):
                return normalize_id(str(page["id"]))
        except AccessError:
            logger.info("remembered dashboard %s is gone", binding.dashboard_page_id)
    titles = {nfc(schema.workspace.dashboard.title(loc)) for loc in LOCALES}
    for child in gateway.list_block_children(parent_id):
        if child.get("type") != "child_page" or blocks.is_trashed(child):
            continue
        if nfc(str(child["child_page"].get("title", ""))) in titles:
            return normalize_id(str(child["id"]))
    return None


def read_dashboard(
    gateway: NotionGateway,
    schema: Schema,
    page_id: str,
    children: list[Json],
    locale: Locale,
) -> ObservedDashboard:
    """Find the layout, callouts and as-of line among the dashboard's blocks."""
    found = ObservedDashboard(page_id=page_id)
    labels = {nfc(k.label(loc)): k.key for k in schema.rules.kpis for loc in LOCALES}
    dash = schema.workspace.dashboard
    prefixes = {nfc(dash.as_of(loc)) for loc in LOCALES}
    prefixes |= {nfc(dash.as_of_never(loc)) for loc in LOCALES}
    headings = {nfc(dash.kpis_heading(loc)) for loc in LOCALES}
    live = [c for c in children if not blocks.is_trashed(c)]
    if live:
        found.last_block_id = normalize_id(str(live[-1]["id"]))
    for block in live:
        text = nfc(blocks.block_text(block))
        kind = block.get("type")
        if kind and kind.startswith("heading") and text in headings:
            found.has_layout = True
            found.kpi_anchor_id = normalize_id(str(block["id"]))
        elif kind == "paragraph" and any(text.startswith(p) for p in prefixes):
            found.as_of_block_id = normalize_id(str(block["id"]))
        elif kind == "callout":
            _note_callout(found, block, labels)
        elif kind == "column_list":
            _read_columns(gateway, found, block, labels)
    return found


def _read_columns(
    gateway: NotionGateway,
    found: ObservedDashboard,
    block: Json,
    labels: dict[str, str],
) -> None:
    """Callouts inside a column list; the first such list is the KPI grid."""
    columns = [
        c
        for c in gateway.list_block_children(str(block["id"]))
        if not blocks.is_trashed(c)
    ]
    holds_kpis = False
    for column in columns:
        for inner in gateway.list_block_children(str(column["id"])):
            if inner.get("type") == "callout" and not blocks.is_trashed(inner):
                holds_kpis |= _note_callout(found, inner, labels)
    if holds_kpis and not found.kpi_columns:
        found.kpi_anchor_id = normalize_id(str(block["id"]))
        found.kpi_columns = [normalize_id(str(c["id"])) for c in columns]


def _note_callout(
    found: ObservedDashboard, block: Json, labels: dict[str, str]
) -> bool:
    label = nfc(blocks.block_text(block).split("\n", 1)[0])
    key = labels.get(label)
    if key and key not in found.callouts:
        found.callouts[key] = normalize_id(str(block["id"]))
        return True
    return False


def find_databases(
    gateway: NotionGateway,
    children: list[Json],
    binding: Binding | None,
    seen: Observation,
) -> dict[str, ObservedDatabase]:
    """The four databases, by marker among the dashboard's child databases."""
    candidates = [
        normalize_id(str(c["id"]))
        for c in children
        if c.get("type") == "child_database" and not blocks.is_trashed(c)
    ]
    if binding:
        for db in binding.databases.values():
            if db.database_id not in candidates:
                candidates.append(db.database_id)
    found: dict[str, ObservedDatabase] = {}
    for database_id in candidates:
        observed = _read_database(gateway, database_id, seen)
        if observed and observed.key not in found:
            found[observed.key] = observed
    return found


def _read_database(
    gateway: NotionGateway, database_id: str, seen: Observation
) -> ObservedDatabase | None:
    try:
        database = gateway.retrieve_database(database_id)
    except AccessError:
        seen.unreachable.append(database_id)
        return None
    key = marker_key(database_description(database))
    if blocks.is_trashed(database):
        if key is not None:
            seen.trashed.append(key)
        return None
    sources = database_data_sources(database)
    if key is None or not sources:
        return None
    info = read_data_source(gateway.retrieve_data_source(sources[0]))
    return ObservedDatabase(key, normalize_id(database_id), info, sources)


def read_views(gateway: NotionGateway, database_id: str) -> list[ViewInfo]:
    """Every view of a database, read in full."""
    views = []
    for ref in gateway.list_views(database_id=database_id):
        view = gateway.retrieve_view(str(ref["id"]))
        views.append(view_info(view))
    return views


def view_info(view: Json) -> ViewInfo:
    return ViewInfo(
        id=str(view["id"]),
        name=str(view.get("name") or ""),
        type=str(view.get("type") or ""),
        filter=view.get("filter"),
        sorts=list(view.get("sorts") or []),
        configuration=dict(view.get("configuration") or {}),
    )


def title_of(page: Json) -> str:
    for value in (page.get("properties") or {}).values():
        if isinstance(value, dict) and value.get("type") == "title":
            return plain_text(value.get("title"))
    return ""
