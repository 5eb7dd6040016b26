"""What provisioning sends: database bodies, relation configs, views, dashboard blocks.

Everything here is derived from the schema and the ids found so far; nothing here
sends a request, so the plan can print every body under ``--dry-run --json``.
"""

from __future__ import annotations

from typing import Any

from notion_crm.notion import blocks
from notion_crm.notion.datasource import DataSourceInfo
from notion_crm.notion.properties import rich_text
from notion_crm.schema.binding import Binding, DatabaseBinding
from notion_crm.schema.model import (
    Locale,
    PropertySpec,
    Schema,
    ViewSpec,
)

Json = dict[str, Any]

MARKER_PREFIX = "notion-crm:"
"""Each database's description starts with this and its key: notion-crm:companies."""

PENDING_FIGURE = "—"

KPI_COLUMNS = 3
"""The dashboard shows its callouts in this many columns, filled in reading order."""


def marker(key: str) -> str:
    return f"{MARKER_PREFIX}{key}"


def marker_key(description: str) -> str | None:
    """The database key a description marks, if any."""
    text = description.strip()
    if not text.startswith(MARKER_PREFIX):
        return None
    return text[len(MARKER_PREFIX) :].split()[0] if text[len(MARKER_PREFIX) :] else None


def property_config(spec: PropertySpec, locale: Locale) -> Json:
    """The create config of a non-relation property."""
    if spec.type == "number":
        return {"number": {"format": spec.format or "number"}}
    if spec.type == "select":
        return {"select": {"options": option_list(spec, locale)}}
    return {spec.type: {}}


def option_list(spec: PropertySpec, locale: Locale) -> list[Json]:
    return [{"name": o.name(locale), "color": o.color} for o in spec.options]


def database_body(schema: Schema, key: str, dashboard_id: str, locale: Locale) -> Json:
    """databases.create: the schema goes in ``initial_data_source`` (F24)."""
    spec = schema.workspace.database(key)
    props = {
        p.name(locale): property_config(p, locale)
        for p in spec.properties.values()
        if p.type != "relation"
    }
    return {
        "parent": {"type": "page_id", "page_id": dashboard_id},
        "title": rich_text(spec.name(locale)),
        "description": rich_text(
            f"{marker(key)} — {spec.name(locale)}, managed by notion-crm"
        ),
        "icon": {"type": "emoji", "emoji": spec.icon},
        "is_inline": False,
        "initial_data_source": {"properties": props},
    }


def relation_config(target_source_id: str) -> Json:
    """The config of a two-way relation to a data source."""
    return {
        "relation": {
            "data_source_id": target_source_id,
            "type": "dual_property",
            "dual_property": {},
        }
    }


def dashboard_body(schema: Schema, parent_id: str, locale: Locale) -> Json:
    dash = schema.workspace.dashboard
    return {
        "parent": {"type": "page_id", "page_id": parent_id},
        "icon": {"type": "emoji", "emoji": dash.icon},
        "properties": {"title": {"title": rich_text(dash.title(locale))}},
    }


def kpi_label(schema: Schema, key: str, locale: Locale) -> str:
    return next(k.label(locale) for k in schema.rules.kpis if k.key == key)


def callout_block(schema: Schema, key: str, locale: Locale) -> Json:
    spec = next(k for k in schema.rules.kpis if k.key == key)
    return blocks.callout(f"{spec.label(locale)}\n{PENDING_FIGURE}", spec.icon)


def dashboard_blocks(schema: Schema, binding: Binding, locale: Locale) -> list[Json]:
    """The dashboard's content: links, KPI callouts in three columns, as-of, help."""
    dash = schema.workspace.dashboard
    links = [
        blocks.link_to_database(binding.database(k).database_id)
        for k in ("companies", "contacts", "opportunities", "interactions")
    ]
    keys = [k.key for k in schema.rules.kpis]
    thirds = [keys[i::KPI_COLUMNS] for i in range(KPI_COLUMNS)]
    kpi_columns = [[callout_block(schema, k, locale) for k in col] for col in thirds]
    return [
        blocks.heading(dash.links_heading(locale)),
        *links,
        blocks.heading(dash.kpis_heading(locale)),
        blocks.columns(*kpi_columns),
        blocks.paragraph(dash.as_of_never(locale)),
        blocks.divider(),
        blocks.heading(dash.help_heading(locale)),
        *[blocks.bullet(item(locale)) for item in dash.help],
    ]


def view_body(
    spec: ViewSpec,
    bound: DatabaseBinding,
    info: DataSourceInfo,
    schema: Schema,
    locale: Locale,
) -> Json:
    """views.create for one view of the schema."""
    body: Json = {
        "database_id": bound.database_id,
        "data_source_id": bound.data_source_id,
        "name": spec.name(locale),
        "type": spec.type,
        "configuration": view_configuration(spec, bound),
    }
    view_filter = view_filter_for(spec, bound, info, schema)
    if view_filter is not None:
        body["filter"] = view_filter
    if spec.sort_descending:
        prop_id = bound.properties[spec.sort_descending].id
        body["sorts"] = [{"property": prop_id, "direction": "descending"}]
    return body


def view_configuration(spec: ViewSpec, bound: DatabaseBinding) -> Json:
    if spec.type == "board":
        return {
            "type": "board",
            "group_by": {
                "type": "select",
                "property_id": bound.properties[spec.group_by or ""].id,
                "sort": {"type": "manual"},
                "hide_empty_groups": False,
            },
        }
    if spec.type == "calendar":
        return {
            "type": "calendar",
            "date_property_id": bound.properties[spec.date_property or ""].id,
        }
    return {"type": "table"}


def view_filter_for(
    spec: ViewSpec, bound: DatabaseBinding, info: DataSourceInfo, schema: Schema
) -> Json | None:
    if spec.filter_checked:
        return {
            "property": bound.properties[spec.filter_checked].id,
            "checkbox": {"equals": True},
        }
    if not spec.filter_roles:
        return None
    stage = bound.properties["stage"]
    clauses = [
        {"property": stage.id, "select": {"equals": name}}
        for name in stage_option_names(schema, bound, info, spec.filter_roles)
    ]
    return clauses[0] if len(clauses) == 1 else {"or": clauses}


def stage_option_names(
    schema: Schema, bound: DatabaseBinding, info: DataSourceInfo, roles: tuple[str, ...]
) -> list[str]:
    """Current Notion names of the stage options with these roles, in pipeline order."""
    stage = bound.properties["stage"]
    live = info.by_id(stage.id)
    names = []
    for option in schema.stage.options:
        option_id = stage.options.get(option.key)
        found = live.option_by_id(option_id) if live and option_id else None
        if option.role in roles and found is not None:
            names.append(found.name)
    return names
