"""Databases and their data sources: create, retrieve, update.

Creating a database also creates its first data source, a ``child_database`` block in
the parent page and a "Default view" table view. A top-level ``properties`` on create
is ignored, as Notion does: the schema belongs in ``initial_data_source.properties``.
"""

from __future__ import annotations

from typing import Any

from notion_crm.emulator import richtext
from notion_crm.emulator.context import Ctx
from notion_crm.emulator.errors import archived_block, body_failed
from notion_crm.emulator.ids import compact_id, floor_minute, fmt_millis, fmt_minute
from notion_crm.emulator.model import Block, Database, DataSource, PropSchema, View
from notion_crm.emulator.schema import add_property, serialize_schema, update_properties
from notion_crm.emulator.store import Store


def database_url(database_id: str) -> str:
    """The app URL of a database (its data sources share it)."""
    return f"https://app.notion.com/p/{compact_id(database_id)}"


def database_object(store: Store, database: Database) -> dict[str, Any]:
    """A database as Notion shows it (no schema: that is on the data source)."""
    sources = [store.data_sources[i] for i in database.data_source_ids]
    return {
        "object": "database",
        "id": database.id,
        "title": database.title,
        "description": database.description,
        "parent": {
            "type": database.parent_type,
            database.parent_type: database.parent_id,
        },
        "is_inline": database.is_inline,
        "in_trash": database.in_trash,
        "is_locked": database.is_locked,
        "created_time": fmt_millis(database.created_time),
        "last_edited_time": fmt_millis(database.last_edited_time),
        "data_sources": [
            {"id": s.id, "name": richtext.plain(s.title)}
            for s in sources
            if not s.in_trash
        ],
        "icon": database.icon,
        "cover": database.cover,
        "url": database_url(database.id),
        "public_url": None,
        "archived": database.in_trash,
    }


def data_source_object(store: Store, source: DataSource) -> dict[str, Any]:
    """A data source with its schema keyed by property name."""
    database = store.databases[source.database_id]
    return {
        "object": "data_source",
        "id": source.id,
        "cover": source.cover,
        "icon": source.icon,
        "created_time": fmt_minute(source.created_time),
        "created_by": {"object": "user", "id": source.created_by},
        "last_edited_by": {"object": "user", "id": source.last_edited_by},
        "last_edited_time": fmt_minute(source.last_edited_time),
        "title": source.title,
        "description": source.description,
        "is_inline": database.is_inline,
        "properties": serialize_schema(store, source),
        "parent": {"type": "database_id", "database_id": database.id},
        "database_parent": {
            "type": database.parent_type,
            database.parent_type: database.parent_id,
        },
        "url": database_url(database.id),
        "public_url": None,
        "in_trash": source.in_trash,
        "archived": source.in_trash,
    }


def _title(raw: Any, path: str) -> list[dict[str, Any]]:
    return richtext.normalize(raw, path) if raw is not None else []


def _new_source(
    ctx: Ctx, database: Database, title: list[dict[str, Any]], props: Any, path: str
) -> DataSource:
    store, caller = ctx.store, ctx.caller
    now = floor_minute(ctx.now)
    source = DataSource(
        store.new_id(), database.id, title, {}, now, now, caller.user_id, caller.user_id
    )
    store.data_sources[source.id] = source
    database.data_source_ids.append(source.id)
    raw = props if isinstance(props, dict) else {}
    has_title = any(
        isinstance(c, dict) and (c.get("type") == "title" or "title" in c)
        for c in raw.values()
    )
    if not has_title:
        source.properties["title"] = PropSchema("title", "Name", "title", {})
    for name, config in raw.items():
        add_property(store, caller, source, name, config, f"{path}.{name}")
    _default_view(ctx, database, source)
    return source


def _default_view(ctx: Ctx, database: Database, source: DataSource) -> None:
    store = ctx.store
    view = View(
        store.new_id(),
        database.id,
        source.id,
        "Default view",
        "table",
        ctx.now,
        ctx.now,
        ctx.caller.user_id,
        ctx.caller.user_id,
        configuration={"type": "table"},
    )
    store.views[view.id] = view


def create_database(ctx: Ctx, body: dict[str, Any]) -> dict[str, Any]:
    """``POST /v1/databases``."""
    store = ctx.store
    parent = body.get("parent")
    if not isinstance(parent, dict) or not isinstance(parent.get("page_id"), str):
        raise body_failed(
            "body.parent.page_id", "should be defined, instead was `undefined`"
        )
    page = store.page(ctx.caller, parent["page_id"])
    if page.in_trash:
        raise archived_block()
    ctx.count_blocks(1)
    title = _title(body.get("title"), "body.title")
    database = Database(
        store.new_id(),
        "page_id",
        page.id,
        title,
        ctx.now,
        ctx.now,
        ctx.caller.user_id,
        ctx.caller.user_id,
        description=_title(body.get("description"), "body.description"),
        is_inline=bool(body.get("is_inline", False)),
        icon=body.get("icon"),
        cover=body.get("cover"),
    )
    store.databases[database.id] = database
    initial = body.get("initial_data_source")
    props = initial.get("properties") if isinstance(initial, dict) else None
    _new_source(
        ctx,
        database,
        [dict(t) for t in title],
        props,
        "body.initial_data_source.properties",
    )
    block = Block(
        database.id,
        "page_id",
        page.id,
        "child_database",
        {},
        floor_minute(ctx.now),
        floor_minute(ctx.now),
        ctx.caller.user_id,
        ctx.caller.user_id,
    )
    store.blocks[database.id] = block
    store.children.setdefault(page.id, []).append(database.id)
    store.touch()
    return database_object(store, database)


def retrieve_database(ctx: Ctx, raw_id: str) -> dict[str, Any]:
    """``GET /v1/databases/{id}``."""
    return database_object(ctx.store, ctx.store.database(ctx.caller, raw_id))


def update_database(ctx: Ctx, raw_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """``PATCH /v1/databases/{id}``."""
    store = ctx.store
    database = store.database(ctx.caller, raw_id)
    trash = body.get("in_trash", body.get("archived"))
    if database.in_trash and trash is not False:
        raise archived_block()
    if "title" in body:
        database.title = _title(body["title"], "body.title")
    if "description" in body:
        database.description = _title(body["description"], "body.description")
    for key in ("icon", "cover"):
        if key in body:
            setattr(database, key, body[key])
    if isinstance(body.get("is_inline"), bool):
        database.is_inline = body["is_inline"]
    if isinstance(body.get("is_locked"), bool):
        database.is_locked = body["is_locked"]
    if isinstance(trash, bool):
        database.in_trash = trash
    database.last_edited_time = ctx.now
    database.last_edited_by = ctx.caller.user_id
    store.touch()
    return database_object(store, database)


def create_data_source(ctx: Ctx, body: dict[str, Any]) -> dict[str, Any]:
    """``POST /v1/data_sources``: another table in an existing database."""
    store = ctx.store
    parent = body.get("parent")
    if not isinstance(parent, dict) or not isinstance(parent.get("database_id"), str):
        raise body_failed(
            "body.parent.database_id", "should be defined, instead was `undefined`"
        )
    database = store.database(ctx.caller, parent["database_id"])
    if not isinstance(body.get("properties"), dict):
        raise body_failed(
            "body.properties", "should be defined, instead was `undefined`"
        )
    title = _title(body.get("title"), "body.title")
    source = _new_source(ctx, database, title, body["properties"], "body.properties")
    source.icon = body.get("icon")
    store.touch()
    return data_source_object(store, source)


def retrieve_data_source(ctx: Ctx, raw_id: str) -> dict[str, Any]:
    """``GET /v1/data_sources/{id}``."""
    return data_source_object(ctx.store, ctx.store.data_source(ctx.caller, raw_id))


def update_data_source(ctx: Ctx, raw_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """``PATCH /v1/data_sources/{id}``: title, icon, schema, trash."""
    store = ctx.store
    source = store.data_source(ctx.caller, raw_id)
    trash = body.get("in_trash", body.get("archived"))
    if source.in_trash and trash is not False:
        raise archived_block()
    if "title" in body:
        source.title = _title(body["title"], "body.title")
    if "icon" in body:
        source.icon = body["icon"]
    if "properties" in body:
        update_properties(store, ctx.caller, source, body["properties"])
    if isinstance(trash, bool):
        source.in_trash = trash
    store.edit_stamp(source, ctx.caller, ctx.now)
    return data_source_object(store, source)
