"""Views of databases and their 15-minute queries.

Filters are kept as sent, except that a filter touching a status-type property is
dropped, as Notion silently does (field report F28).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from notion_crm.emulator.context import Ctx, page_size
from notion_crm.emulator.errors import body_failed, not_found, validation
from notion_crm.emulator.ids import compact_id, fmt_millis, normalize_id
from notion_crm.emulator.model import Block, Database, DataSource, View, ViewQuery
from notion_crm.emulator.query import Compiler
from notion_crm.emulator.schema import find_property
from notion_crm.emulator.store import Store

VIEW_TYPES = {
    "table",
    "board",
    "list",
    "calendar",
    "timeline",
    "gallery",
    "form",
    "chart",
    "map",
    "dashboard",
}
QUERY_LIFETIME = timedelta(minutes=15)


def view_object(store: Store, view: View) -> dict[str, Any]:
    """A view as Notion shows it."""
    return {
        "object": "view",
        "id": view.id,
        "parent": {"type": "database_id", "database_id": view.database_id},
        "data_source_id": view.data_source_id,
        "name": view.name,
        "type": view.type,
        "created_time": fmt_millis(view.created_time),
        "created_by": {"object": "user", "id": view.created_by},
        "last_edited_time": fmt_millis(view.last_edited_time),
        "last_edited_by": {"object": "user", "id": view.last_edited_by},
        "url": f"https://app.notion.com/p/{compact_id(view.database_id)}"
        f"?v={compact_id(view.id)}",
        "filter": view.filter,
        "sorts": view.sorts,
        "quick_filters": view.quick_filters,
        "configuration": view.configuration,
    }


def _touches_status(source: DataSource, raw: Any) -> bool:
    if isinstance(raw, dict):
        if "property" in raw:
            prop = find_property(source, str(raw["property"]))
            if prop is not None and prop.type == "status":
                return True
        return any(_touches_status(source, v) for v in raw.values())
    if isinstance(raw, list):
        return any(_touches_status(source, v) for v in raw)
    return False


def _checked_filter(ctx: Ctx, source: DataSource, raw: Any) -> Any:
    if raw is None:
        return None
    Compiler(ctx.store, source, ctx.caller, ctx.now).compile(raw, "body.filter")
    return None if _touches_status(source, raw) else raw


def _configuration(kind: str, raw: Any) -> dict[str, Any]:
    if raw is None:
        return {"type": kind}
    if not isinstance(raw, dict):
        raise body_failed("body.configuration", "should be an object")
    declared = raw.get("type", kind)
    if declared != kind:
        raise body_failed(
            "body.configuration.type", f"should be `{kind}`, instead was `{declared}`"
        )
    if kind == "board" and not raw.get("group_by"):
        raise body_failed("body.configuration.group_by", "should be defined")
    return {**raw, "type": kind}


def _parent_database(ctx: Ctx, body: dict[str, Any], source: DataSource) -> str:
    given = [k for k in ("database_id", "view_id", "create_database") if body.get(k)]
    if len(given) != 1:
        raise validation(
            "body failed validation: exactly one of `database_id`, `view_id` or "
            "`create_database` should be provided."
        )
    store = ctx.store
    if given[0] == "database_id":
        return store.database(ctx.caller, str(body["database_id"])).id
    if given[0] == "view_id":
        return store.view(ctx.caller, str(body["view_id"])).database_id
    return _linked_database(ctx, body["create_database"], source)


def _linked_database(ctx: Ctx, raw: Any, source: DataSource) -> str:
    store = ctx.store
    parent = raw.get("parent") if isinstance(raw, dict) else None
    if not isinstance(parent, dict) or not isinstance(parent.get("page_id"), str):
        raise body_failed("body.create_database.parent.page_id", "should be defined")
    page = store.page(ctx.caller, parent["page_id"])
    ctx.count_blocks(1)
    title = [dict(t) for t in source.title]
    database = Database(
        store.new_id(),
        "page_id",
        page.id,
        title,
        ctx.now,
        ctx.now,
        ctx.caller.user_id,
        ctx.caller.user_id,
        is_inline=True,
        data_source_ids=[source.id],
    )
    store.databases[database.id] = database
    block = Block(
        database.id,
        "page_id",
        page.id,
        "child_database",
        {},
        ctx.now,
        ctx.now,
        ctx.caller.user_id,
        ctx.caller.user_id,
    )
    store.blocks[database.id] = block
    siblings = store.children.setdefault(page.id, [])
    position = raw.get("position") if isinstance(raw, dict) else None
    after = (
        normalize_id(str(position.get("block_id", "")))
        if isinstance(position, dict)
        else None
    )
    index = siblings.index(after) + 1 if after in siblings else len(siblings)
    siblings.insert(index, database.id)
    return database.id


def create_view(ctx: Ctx, body: dict[str, Any]) -> dict[str, Any]:
    """``POST /v1/views``."""
    store = ctx.store
    if not isinstance(body.get("data_source_id"), str):
        raise body_failed(
            "body.data_source_id", "should be defined, instead was `undefined`"
        )
    source = store.data_source(ctx.caller, body["data_source_id"])
    kind = body.get("type")
    if kind not in VIEW_TYPES:
        raise body_failed("body.type", f"should be one of {sorted(VIEW_TYPES)}")
    if not isinstance(body.get("name"), str):
        raise body_failed("body.name", "should be defined, instead was `undefined`")
    configuration = _configuration(str(kind), body.get("configuration"))
    view_filter = _checked_filter(ctx, source, body.get("filter"))
    database_id = _parent_database(ctx, body, source)
    view = View(
        store.new_id(),
        database_id,
        source.id,
        body["name"],
        str(kind),
        ctx.now,
        ctx.now,
        ctx.caller.user_id,
        ctx.caller.user_id,
        filter=view_filter,
        sorts=body.get("sorts"),
        quick_filters=body.get("quick_filters"),
        configuration=configuration,
    )
    store.views[view.id] = view
    store.touch()
    return view_object(store, view)


def retrieve_view(ctx: Ctx, raw_id: str) -> dict[str, Any]:
    """``GET /v1/views/{id}``."""
    return view_object(ctx.store, ctx.store.view(ctx.caller, raw_id))


def update_view(ctx: Ctx, raw_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """``PATCH /v1/views/{id}``; null clears filter, sorts and quick filters."""
    store = ctx.store
    view = store.view(ctx.caller, raw_id)
    source = store.data_sources.get(view.data_source_id or "")
    if isinstance(body.get("name"), str):
        view.name = body["name"]
    if "filter" in body and source is not None:
        view.filter = _checked_filter(ctx, source, body["filter"])
    if "sorts" in body:
        view.sorts = body["sorts"]
    if "quick_filters" in body:
        view.quick_filters = body["quick_filters"]
    if "configuration" in body:
        view.configuration = _configuration(view.type, body["configuration"])
    view.last_edited_time = ctx.now
    view.last_edited_by = ctx.caller.user_id
    store.touch()
    return view_object(store, view)


def delete_view(ctx: Ctx, raw_id: str) -> dict[str, Any]:
    """``DELETE /v1/views/{id}``: returns the partial view."""
    store = ctx.store
    view = store.view(ctx.caller, raw_id)
    del store.views[view.id]
    store.touch()
    return {
        "object": "view",
        "id": view.id,
        "parent": {"type": "database_id", "database_id": view.database_id},
        "type": view.type,
    }


def list_views(ctx: Ctx, query: dict[str, list[str]]) -> dict[str, Any]:
    """``GET /v1/views?database_id=…|data_source_id=…``: references only."""
    store = ctx.store
    database_id = query.get("database_id", [None])[0]
    source_id = query.get("data_source_id", [None])[0]
    if database_id:
        key = store.database(ctx.caller, database_id).id
        views = [v for v in store.views.values() if v.database_id == key]
    elif source_id:
        key = store.data_source(ctx.caller, source_id).id
        views = [v for v in store.views.values() if v.data_source_id == key]
    else:
        raise validation(
            "body failed validation: one of `database_id` or "
            "`data_source_id` should be provided."
        )
    return {
        "object": "list",
        "results": [{"object": "view", "id": v.id} for v in views],
        "next_cursor": None,
        "has_more": False,
        "type": "view",
        "view": {},
    }


def create_query(ctx: Ctx, raw_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """``POST /v1/views/{id}/queries``: materialise the view's rows for 15 minutes."""
    store = ctx.store
    view = store.view(ctx.caller, raw_id)
    source = store.data_sources.get(view.data_source_id or "")
    ids: list[str] = []
    if source is not None:
        compiler = Compiler(store, source, ctx.caller, ctx.now)
        pages = [store.pages[i] for i in source.page_ids if not store.pages[i].in_trash]
        if view.filter is not None:
            check = compiler.compile(view.filter)
            pages = [p for p in pages if check(p)]
        ids = [p.id for p in compiler.sort(pages, view.sorts)]
    query = ViewQuery(store.new_id(), view.id, ids, ctx.now + QUERY_LIFETIME)
    store.view_queries[query.id] = query
    size = page_size(body.get("page_size"))
    return {
        "object": "view_query",
        "id": query.id,
        "view_id": view.id,
        "expires_at": fmt_millis(query.expires_at),
        "total_count": len(ids),
        **_query_page(ctx, query, 0, size),
    }


def _query_page(ctx: Ctx, query: ViewQuery, start: int, size: int) -> dict[str, Any]:
    chunk = query.page_ids[start : start + size]
    more = start + size < len(query.page_ids)
    cursor = (
        ctx.open_cursor(f"vq:{query.id}", start + size, query.page_ids[start + size])
        if more
        else None
    )
    return {
        "results": [{"object": "page", "id": i} for i in chunk],
        "next_cursor": cursor,
        "has_more": more,
    }


def _live_query(ctx: Ctx, raw_view: str, raw_query: str) -> ViewQuery:
    view = ctx.store.view(ctx.caller, raw_view)
    query = ctx.store.view_queries.get(normalize_id(raw_query) or "")
    if query is None or query.view_id != view.id or ctx.now >= query.expires_at:
        raise not_found(
            "view_query", raw_query, ctx.caller.integration_name, ctx.caller.user_id
        )
    return query


def get_query(
    ctx: Ctx, raw_view: str, raw_query: str, params: dict[str, list[str]]
) -> dict[str, Any]:
    """``GET /v1/views/{id}/queries/{query_id}``: page through the results."""
    query = _live_query(ctx, raw_view, raw_query)
    size = page_size(params.get("page_size", [None])[0])
    cursor = params.get("start_cursor", [None])[0]
    start = ctx.read_cursor(f"vq:{query.id}", cursor, query.page_ids) if cursor else 0
    return {
        "object": "list",
        **_query_page(ctx, query, start, size),
        "type": "page",
        "page": {},
    }


def delete_query(ctx: Ctx, raw_view: str, raw_query: str) -> dict[str, Any]:
    """``DELETE /v1/views/{id}/queries/{query_id}``."""
    query = _live_query(ctx, raw_view, raw_query)
    del ctx.store.view_queries[query.id]
    return {"object": "view_query", "id": query.id, "deleted": True}
