"""Pages: create, retrieve, update, move, and paginated property items."""

from __future__ import annotations

from typing import Any

from notion_crm.emulator.context import Ctx, page_size
from notion_crm.emulator.errors import (
    archived_page,
    body_failed,
    validation,
)
from notion_crm.emulator.ids import (
    encode_property_id,
    floor_minute,
    fmt_minute,
    page_url,
)
from notion_crm.emulator.model import Block, DataSource, Page, PropSchema
from notion_crm.emulator.schema import find_property
from notion_crm.emulator.store import Store
from notion_crm.emulator.values import show_user, show_value, write_value

_TITLE_ONLY = PropSchema("title", "title", "title")


def parent_object(store: Store, page: Page) -> dict[str, Any]:
    """The ``parent`` of a page as Notion shows it."""
    if page.parent_type == "data_source_id" and page.parent_id:
        source = store.data_sources.get(page.parent_id)
        return {
            "type": "data_source_id",
            "data_source_id": page.parent_id,
            "database_id": source.database_id if source else None,
        }
    if page.parent_type == "workspace":
        return {"type": "workspace", "workspace": True}
    return {"type": page.parent_type, page.parent_type: page.parent_id}


def page_source(store: Store, page: Page) -> DataSource | None:
    """The data source a page is a row of, if any."""
    if page.parent_type == "data_source_id" and page.parent_id:
        return store.data_sources.get(page.parent_id)
    return None


def schema_of(store: Store, page: Page) -> list[PropSchema]:
    """The properties a page shows: its data source's, or just ``title``."""
    source = page_source(store, page)
    return list(source.properties.values()) if source else [_TITLE_ONLY]


def page_object(
    store: Store, page: Page, wanted: list[str] | None = None
) -> dict[str, Any]:
    """The page object (cached per page and schema version)."""
    source = page_source(store, page)
    computed = source is not None and any(
        p.type in ("rollup", "formula") for p in source.properties.values()
    )
    key = (page.version, source.schema_version if source else -1)
    cached = store.page_cache.get(page.id)
    if cached is not None and cached[0] == key and not computed:
        full = cached[1]
    else:
        full = _build_page(store, page, source)
        if not computed:
            store.page_cache[page.id] = (key, full)
    if wanted is None:
        return full
    names = set(wanted)
    props = {
        name: value
        for name, value in full["properties"].items()
        if name in names or _decoded(value["id"]) in names
    }
    return {**full, "properties": props}


def _decoded(encoded: str) -> str:
    from urllib.parse import unquote

    return unquote(encoded)


def _build_page(store: Store, page: Page, source: DataSource | None) -> dict[str, Any]:
    props = {
        prop.name: show_value(store, source, prop, page, cut=True)
        for prop in schema_of(store, page)
    }
    return {
        "object": "page",
        "id": page.id,
        "created_time": fmt_minute(page.created_time),
        "last_edited_time": fmt_minute(page.last_edited_time),
        "created_by": {"object": "user", "id": page.created_by},
        "last_edited_by": {"object": "user", "id": page.last_edited_by},
        "cover": page.cover,
        "icon": page.icon,
        "parent": parent_object(store, page),
        "in_trash": page.in_trash,
        "is_archived": page.in_trash,
        "is_locked": page.is_locked,
        "properties": props,
        "url": page_url(store.title_of_page(page), page.id),
        "public_url": None,
        "archived": page.in_trash,
    }


# ---- writing values --------------------------------------------------------------


def resolve_key(store: Store, page: Page, key: str) -> PropSchema:
    """The property a request key names (name, id, or encoded id)."""
    source = page_source(store, page)
    if source is None:
        return _TITLE_ONLY
    prop = find_property(source, key)
    if prop is None:
        raise validation(f"{key} is not a property that exists.")
    return prop


def apply_properties(ctx: Ctx, page: Page, raw: Any) -> bool:
    """Write request ``properties`` onto ``page``; True when something was sent."""
    if raw is None:
        return False
    if not isinstance(raw, dict):
        raise body_failed("body.properties", "should be an object")
    store = ctx.store
    source = page_source(store, page)
    staged: list[tuple[PropSchema, Any]] = []
    for key, value in raw.items():
        prop = resolve_key(store, page, key)
        if source is None and prop is _TITLE_ONLY:
            value = _title_of_plain_page(value)
        stored = write_value(store, source, prop, value, f"body.properties.{key}")
        if prop.type == "relation":
            _check_related(ctx, stored)
        staged.append((prop, stored))
    for prop, stored in staged:
        old = page.props.get(prop.id)
        page.props[prop.id] = stored
        if prop.type == "relation" and source is not None:
            sync_relation(store, prop, page, list(old or []), stored)
    return bool(staged)


def _title_of_plain_page(value: Any) -> Any:
    if isinstance(value, dict) and "title" not in value and "type" not in value:
        raise validation("Only the title property can be set on a page under a page.")
    return value


def _check_related(ctx: Ctx, ids: list[str]) -> None:
    for related in ids:
        if related not in ctx.store.pages:
            ctx.store.page(ctx.caller, related)


def sync_relation(
    store: Store, prop: PropSchema, page: Page, old: list[str], new: list[str]
) -> None:
    """Mirror a two-way relation edit on the other side (no timestamp moves there)."""
    if prop.config.get("type") != "dual_property":
        return
    back_id = prop.config.get("synced_property_id")
    if not back_id:
        return
    added = [i for i in new if i not in old]
    removed = [i for i in old if i not in new]
    for other_id in added + removed:
        other = store.pages.get(other_id)
        if other is None:
            continue
        current = list(other.props.get(back_id) or [])
        if other_id in added and page.id not in current:
            current.append(page.id)
        elif other_id in removed and page.id in current:
            current.remove(page.id)
        other.props[back_id] = current
        other.version += 1


# ---- handlers --------------------------------------------------------------------


def _resolve_parent(ctx: Ctx, parent: Any) -> tuple[str, str | None]:
    if not isinstance(parent, dict):
        raise body_failed("body.parent", "should be defined, instead was `undefined`")
    store = ctx.store
    if "data_source_id" in parent:
        source = store.data_source(ctx.caller, str(parent["data_source_id"]))
        return "data_source_id", source.id
    if "database_id" in parent:
        database = store.database(ctx.caller, str(parent["database_id"]))
        if len(database.data_source_ids) != 1:
            raise validation(
                "Cannot create a page in a database with multiple data sources. Use "
                "parent.data_source_id instead."
            )
        return "data_source_id", database.data_source_ids[0]
    if "page_id" in parent:
        return "page_id", store.page(ctx.caller, str(parent["page_id"])).id
    if "block_id" in parent:
        return "block_id", store.block_id(ctx.caller, str(parent["block_id"]))
    if parent.get("workspace") is True and ctx.caller.kind == "person":
        return "workspace", None
    raise body_failed(
        "body.parent.page_id", "should be defined, instead was `undefined`"
    )


def create_page(ctx: Ctx, body: dict[str, Any]) -> dict[str, Any]:
    """``POST /v1/pages``."""
    from notion_crm.emulator.blocks import check_children, insert_children

    store, caller = ctx.store, ctx.caller
    parent_type, parent_id = _resolve_parent(ctx, body.get("parent"))
    children = body.get("children") or []
    check_children(children, "body.children")
    ctx.count_blocks(1)
    now = floor_minute(ctx.now)
    page = Page(
        store.new_id(),
        parent_type,
        parent_id,
        {"title": []},
        now,
        now,
        caller.user_id,
        caller.user_id,
        body.get("icon"),
        body.get("cover"),
    )
    source = page_source(store, page)
    if source is not None:
        defaults(store, source, page)
    apply_properties(ctx, page, body.get("properties"))
    store.pages[page.id] = page
    if source is not None:
        source.page_ids.append(page.id)
    elif parent_id is not None:
        _attach_child_block(ctx, page, parent_type, parent_id)
    if children:
        insert_children(ctx, page.id, children, None)
    store.touch()
    return page_object(store, page)


def defaults(store: Store, source: DataSource, page: Page) -> None:
    """Fill a new row's status (first To-do option) and unique ids."""
    for prop in source.properties.values():
        if prop.type == "status":
            groups = prop.config.get("groups") or []
            first = (
                groups[0]["option_ids"] if groups and groups[0]["option_ids"] else []
            )
            page.props[prop.id] = first[0] if first else None
        elif prop.type == "unique_id":
            number = source.next_unique.get(prop.id, 0) + 1
            source.next_unique[prop.id] = number
            page.props[prop.id] = number


def _attach_child_block(ctx: Ctx, page: Page, parent_type: str, parent_id: str) -> None:
    block = Block(
        page.id,
        parent_type,
        parent_id,
        "child_page",
        {},
        page.created_time,
        page.created_time,
        page.created_by,
        page.created_by,
    )
    ctx.store.blocks[page.id] = block
    ctx.store.children.setdefault(parent_id, []).append(page.id)


def retrieve_page(
    ctx: Ctx, page_id: str, query: dict[str, list[str]]
) -> dict[str, Any]:
    """``GET /v1/pages/{id}`` (``filter_properties`` honoured)."""
    page = ctx.store.page(ctx.caller, page_id)
    wanted = query.get("filter_properties")
    return page_object(ctx.store, page, wanted)


def update_page(ctx: Ctx, page_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """``PATCH /v1/pages/{id}``."""
    store = ctx.store
    page = store.page(ctx.caller, page_id)
    trash = body.get("in_trash", body.get("archived"))
    restoring = page.in_trash and trash is False
    if page.in_trash and not restoring:
        raise archived_page()
    changed = apply_properties(ctx, page, body.get("properties"))
    for key in ("icon", "cover"):
        if key in body:
            setattr(page, key, body[key])
            changed = True
    if isinstance(body.get("is_locked"), bool):
        page.is_locked = body["is_locked"]
        changed = True
    if isinstance(trash, bool) and trash != page.in_trash:
        page.in_trash = trash
        changed = True
    if changed:
        store.edit_stamp(page, ctx.caller, ctx.now)
    store.touch()
    return page_object(store, page)


def move_page(ctx: Ctx, page_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """``POST /v1/pages/{id}/move``: a new page or data source parent."""
    store = ctx.store
    page = store.page(ctx.caller, page_id)
    if page.in_trash:
        raise archived_page()
    parent_type, parent_id = _resolve_parent(ctx, body.get("parent"))
    old = page_source(store, page)
    if old is not None:
        old.page_ids.remove(page.id)
    elif page.parent_id in store.children:
        store.children[page.parent_id].remove(page.id)
    page.parent_type, page.parent_id = parent_type, parent_id
    page.props = {"title": page.props.get("title") or []}
    new = page_source(store, page)
    if new is not None:
        new.page_ids.append(page.id)
        store.blocks.pop(page.id, None)
    elif parent_id is not None:
        _attach_child_block(ctx, page, parent_type, parent_id)
    store.edit_stamp(page, ctx.caller, ctx.now)
    return page_object(store, page)


# ---- property items --------------------------------------------------------------

_LISTED = ("title", "rich_text", "relation", "people", "rollup")


def property_item(
    ctx: Ctx, page_id: str, raw_prop: str, query: dict[str, list[str]]
) -> dict[str, Any]:
    """``GET /v1/pages/{id}/properties/{property_id}``: full, paginated values."""
    store = ctx.store
    page = store.page(ctx.caller, page_id)
    prop = _find_item_property(store, page, raw_prop)
    source = page_source(store, page)
    encoded = encode_property_id(prop.id)
    if prop.type not in _LISTED:
        value = show_value(store, source, prop, page, cut=False)
        value.pop("has_more", None)
        return {"object": "property_item", **value}
    items = _items(store, source, prop, page)
    size = page_size(_first(query, "page_size"))
    keys = [str(index) for index in range(len(items))]
    scope = f"prop:{page.id}:{prop.id}"
    cursor = _first(query, "start_cursor")
    start = ctx.read_cursor(scope, cursor, keys) if cursor else 0
    chunk = items[start : start + size]
    more = start + size < len(items)
    next_cursor = (
        ctx.open_cursor(scope, start + size, keys[start + size]) if more else None
    )
    summary: dict[str, Any] = {
        "id": encoded,
        "type": prop.type,
        "next_url": None,
        prop.type: {},
    }
    if prop.type == "rollup" and source is not None:
        from notion_crm.emulator.computed import rollup_value

        summary["rollup"] = rollup_value(store, source, prop, page, cut=False)
    return {
        "object": "list",
        "results": chunk,
        "next_cursor": next_cursor,
        "has_more": more,
        "type": "property_item",
        "property_item": summary,
    }


def _first(query: dict[str, list[str]], key: str) -> str | None:
    values = query.get(key)
    return values[0] if values else None


def _find_item_property(store: Store, page: Page, raw: str) -> PropSchema:
    source = page_source(store, page)
    if source is None:
        if raw in ("title", "%74itle"):
            return _TITLE_ONLY
        raise validation(f"Could not find property with name or id: {raw}")
    prop = find_property(source, raw)
    if prop is None:
        raise validation(f"Could not find property with name or id: {raw}")
    return prop


def _items(
    store: Store, source: DataSource | None, prop: PropSchema, page: Page
) -> list[dict[str, Any]]:
    encoded = encode_property_id(prop.id)
    stored = page.props.get(prop.id) or []
    base = {"object": "property_item", "id": encoded, "type": prop.type}
    if prop.type in ("title", "rich_text"):
        return [{**base, prop.type: item} for item in stored]
    if prop.type == "relation":
        return [{**base, "relation": {"id": i}} for i in stored]
    if prop.type == "people":
        return [{**base, "people": show_user(store, i)} for i in stored]
    relation_id = prop.config.get("relation_property_id", "")
    related = page.props.get(relation_id) or []
    return [{**base, "type": "relation", "relation": {"id": i}} for i in related]
