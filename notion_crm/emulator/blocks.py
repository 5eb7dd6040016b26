"""Blocks: retrieve, update, trash, list children and append children.

Pages and databases are blocks too (``child_page``, ``child_database``) sharing their
id; their block form is built from the page or database itself.
"""

from __future__ import annotations

from typing import Any

from notion_crm.emulator import richtext
from notion_crm.emulator.context import Ctx, page_size
from notion_crm.emulator.errors import (
    archived_block,
    bad_cursor,
    body_failed,
    too_long,
    validation,
)
from notion_crm.emulator.ids import floor_minute, fmt_minute, normalize_id
from notion_crm.emulator.model import Block
from notion_crm.emulator.store import Store
from notion_crm.emulator.values import file_object

MAX_CHILDREN = 100
MAX_DEPTH = 3
_TEXT_BLOCKS: dict[str, dict[str, Any]] = {
    "paragraph": {"icon": None, "color": "default"},
    "heading_1": {"is_toggleable": False, "color": "default"},
    "heading_2": {"is_toggleable": False, "color": "default"},
    "heading_3": {"is_toggleable": False, "color": "default"},
    "heading_4": {"is_toggleable": False, "color": "default"},
    "bulleted_list_item": {"color": "default"},
    "numbered_list_item": {"color": "default"},
    "toggle": {"color": "default"},
    "quote": {"color": "default"},
    "to_do": {"checked": False, "color": "default"},
    "callout": {"icon": None, "color": "default"},
    "code": {"caption": [], "language": "plain text"},
}
_MEDIA = {"image", "file", "pdf", "video", "audio"}
_OTHER = {
    "divider",
    "breadcrumb",
    "table_of_contents",
    "column_list",
    "column",
    "link_to_page",
    "bookmark",
    "embed",
    "equation",
    "synced_block",
    "table",
    "table_row",
    "link_preview",
}
_NOT_CREATABLE = {"child_page", "child_database"}


# ---- showing ---------------------------------------------------------------------


def block_object(store: Store, block_id: str) -> dict[str, Any]:
    """The block form of a block, page or database."""
    page = store.pages.get(block_id)
    database = store.databases.get(block_id)
    if page is not None:
        from notion_crm.emulator.pages import parent_object

        head = _head(
            block_id,
            parent_object(store, page),
            page.created_time,
            page.last_edited_time,
            page.created_by,
            page.last_edited_by,
        )
        body = {
            "type": "child_page",
            "child_page": {"title": store.title_of_page(page)},
        }
        trashed = page.in_trash
    elif database is not None:
        head = _head(
            block_id,
            {"type": database.parent_type, database.parent_type: database.parent_id},
            database.created_time,
            database.last_edited_time,
            database.created_by,
            database.last_edited_by,
        )
        title = richtext.plain(database.title)
        body = {"type": "child_database", "child_database": {"title": title}}
        trashed = database.in_trash
    else:
        block = store.blocks[block_id]
        head = _head(
            block_id,
            _block_parent(store, block),
            block.created_time,
            block.last_edited_time,
            block.created_by,
            block.last_edited_by,
        )
        body = {"type": block.type, block.type: block.data}
        trashed = block.in_trash
    head["has_children"] = bool(live_children(store, block_id))
    head["in_trash"] = trashed
    head.update(body)
    head["archived"] = trashed
    return head


def _head(
    block_id: str,
    parent: dict[str, Any],
    created: Any,
    edited: Any,
    created_by: str,
    edited_by: str,
) -> dict[str, Any]:
    return {
        "object": "block",
        "id": block_id,
        "parent": parent,
        "created_time": fmt_minute(created),
        "last_edited_time": fmt_minute(edited),
        "created_by": {"object": "user", "id": created_by},
        "last_edited_by": {"object": "user", "id": edited_by},
    }


def _block_parent(store: Store, block: Block) -> dict[str, Any]:
    if block.parent_id in store.pages:
        return {"type": "page_id", "page_id": block.parent_id}
    return {"type": "block_id", "block_id": block.parent_id}


def live_children(store: Store, parent_id: str) -> list[str]:
    """Ids of the children of ``parent_id`` not in the trash, in order."""
    out = []
    for child in store.children.get(parent_id, []):
        if not _trashed(store, child):
            out.append(child)
    return out


def _trashed(store: Store, object_id: str) -> bool:
    for table in (store.pages, store.databases, store.blocks):
        obj = table.get(object_id)
        if obj is not None:
            return bool(getattr(obj, "in_trash", False))
    return True


# ---- checking requests -----------------------------------------------------------


def check_children(children: Any, path: str, depth: int = 1) -> int:
    """Validate an array of new blocks; return how many blocks it creates."""
    if not isinstance(children, list):
        raise body_failed(path, "should be an array")
    if len(children) > MAX_CHILDREN:
        raise too_long(f"{path}.length", MAX_CHILDREN, len(children))
    total = 0
    for index, child in enumerate(children):
        total += _check_block(child, f"{path}[{index}]", depth)
    return total


def _block_type(child: Any, path: str) -> str:
    if not isinstance(child, dict):
        raise body_failed(path, "should be an object")
    kind = child.get("type")
    if not isinstance(kind, str):
        known = [k for k in child if k in _TEXT_BLOCKS or k in _MEDIA or k in _OTHER]
        kind = known[0] if known else None
    if kind in _NOT_CREATABLE:
        raise body_failed(f"{path}.{kind}", "should be not present")
    if kind is None or not isinstance(child.get(kind), dict):
        raise body_failed(
            f"{path}.paragraph", "should be defined, instead was `undefined`"
        )
    return kind


def _check_block(child: Any, path: str, depth: int) -> int:
    kind = _block_type(child, path)
    data = child[kind]
    if "rich_text" in data:
        richtext.normalize(data["rich_text"], f"{path}.{kind}.rich_text")
    nested = data.get("children")
    if nested is None:
        if kind == "column_list":
            raise body_failed(f"{path}.column_list.children", "should be defined")
        return 1
    if depth >= MAX_DEPTH:
        raise body_failed(f"{path}.{kind}.children", "should be not present")
    if kind == "column_list":
        _check_columns(nested, f"{path}.column_list.children")
    return 1 + check_children(nested, f"{path}.{kind}.children", depth + 1)


def _check_columns(columns: Any, path: str) -> None:
    if not isinstance(columns, list) or len(columns) < 2:
        count = len(columns) if isinstance(columns, list) else 0
        raise body_failed(f"{path}.length", f"should be ≥ `2`, instead was `{count}`")
    for index, column in enumerate(columns):
        inner = column.get("column") if isinstance(column, dict) else None
        kids = inner.get("children") if isinstance(inner, dict) else None
        if not isinstance(kids, list) or not kids:
            count = len(kids) if isinstance(kids, list) else 0
            raise body_failed(
                f"{path}[{index}].column.children.length",
                f"should be ≥ `1`, instead was `{count}`",
            )


# ---- creating --------------------------------------------------------------------


def _block_data(ctx: Ctx, kind: str, raw: dict[str, Any], path: str) -> dict[str, Any]:
    data = {k: v for k, v in raw.items() if k != "children"}
    if kind in _TEXT_BLOCKS:
        defaults: dict[str, Any] = dict(_TEXT_BLOCKS[kind])
        merged = {"rich_text": [], **defaults, **data}
        merged["rich_text"] = richtext.normalize(
            merged["rich_text"], f"{path}.rich_text"
        )
        if "caption" in merged and kind == "code":
            merged["caption"] = richtext.normalize(merged["caption"], f"{path}.caption")
        if merged.get("icon") is not None:
            merged["icon"] = _icon(merged["icon"])
        return merged
    if kind in _MEDIA:
        caption = richtext.normalize(data.get("caption", []), f"{path}.caption")
        stored = file_object(ctx.store, data, path)
        stored.pop("name", None)
        return {"caption": caption, **stored}
    if kind == "table_of_contents":
        return {"color": "default", **data}
    return data


def _icon(icon: Any) -> Any:
    if isinstance(icon, dict) and "type" not in icon:
        kind = next(
            (
                k
                for k in ("emoji", "external", "file_upload", "custom_emoji")
                if k in icon
            ),
            None,
        )
        if kind:
            return {"type": kind, **icon}
    return icon


def insert_children(
    ctx: Ctx,
    parent_id: str,
    children: list[Any],
    after: str | None,
    path: str = "body.children",
) -> list[str]:
    """Create ``children`` under ``parent_id`` (after block ``after``); return ids."""
    store = ctx.store
    siblings = store.children.setdefault(parent_id, [])
    position = len(siblings)
    if after is not None:
        after_id = normalize_id(after)
        if after_id not in siblings:
            raise validation(f"Could not find block with ID: {after}.")
        position = siblings.index(after_id) + 1
    created: list[str] = []
    now = floor_minute(ctx.now)
    for index, child in enumerate(children):
        kind = _block_type(child, f"{path}[{index}]")
        raw = child[kind]
        data = _block_data(ctx, kind, raw, f"{path}[{index}].{kind}")
        block = Block(
            store.new_id(),
            "page_id" if parent_id in store.pages else "block_id",
            parent_id,
            kind,
            data,
            now,
            now,
            ctx.caller.user_id,
            ctx.caller.user_id,
        )
        store.blocks[block.id] = block
        siblings.insert(position + index, block.id)
        created.append(block.id)
        nested = raw.get("children")
        if isinstance(nested, list) and nested:
            insert_children(
                ctx, block.id, nested, None, f"{path}[{index}].{kind}.children"
            )
    store.touch()
    return created


def _ensure_editable(ctx: Ctx, block_id: str) -> None:
    if _trashed(ctx.store, block_id):
        raise archived_block()


def append_children(ctx: Ctx, raw_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """``PATCH /v1/blocks/{id}/children``."""
    store = ctx.store
    parent_id = store.block_id(ctx.caller, raw_id)
    _ensure_editable(ctx, parent_id)
    children = body.get("children")
    if children is None:
        raise body_failed("body.children", "should be defined, instead was `undefined`")
    ctx.count_blocks(check_children(children, "body.children"))
    after = body.get("after")
    created = insert_children(
        ctx, parent_id, children, after if isinstance(after, str) else None
    )
    page = store.pages.get(parent_id)
    if page is not None:
        store.edit_stamp(page, ctx.caller, ctx.now)
    results = [block_object(store, i) for i in created]
    return {
        "object": "list",
        "results": results,
        "next_cursor": None,
        "has_more": False,
        "type": "block",
        "block": {},
    }


def list_children(ctx: Ctx, raw_id: str, query: dict[str, list[str]]) -> dict[str, Any]:
    """``GET /v1/blocks/{id}/children`` (cursor = id of the next block)."""
    store = ctx.store
    parent_id = store.block_id(ctx.caller, raw_id)
    ids = live_children(store, parent_id)
    size = page_size(query.get("page_size", [None])[0])
    cursor = query.get("start_cursor", [None])[0]
    start = 0
    if cursor:
        if ctx.cursor_fault == "badcursor" or normalize_id(cursor) not in ids:
            raise bad_cursor(cursor)
        start = ids.index(normalize_id(cursor) or "")
    chunk = ids[start : start + size]
    more = start + size < len(ids)
    next_cursor = ids[start + size] if more else None
    if more and ctx.cursor_fault == "loopcursor":
        next_cursor = cursor or ids[0]
    return {
        "object": "list",
        "results": [block_object(store, i) for i in chunk],
        "next_cursor": next_cursor,
        "has_more": more,
        "type": "block",
        "block": {},
    }


def retrieve_block(ctx: Ctx, raw_id: str) -> dict[str, Any]:
    """``GET /v1/blocks/{id}``."""
    return block_object(ctx.store, ctx.store.block_id(ctx.caller, raw_id))


def update_block(ctx: Ctx, raw_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """``PATCH /v1/blocks/{id}``: the type key's fields, or trash/restore."""
    store = ctx.store
    block_id = store.block_id(ctx.caller, raw_id)
    trash = body.get("in_trash", body.get("archived"))
    restoring = trash is False and _trashed(store, block_id)
    if not restoring:
        _ensure_editable(ctx, block_id)
    if isinstance(trash, bool):
        _set_trash(ctx, block_id, trash)
    block = store.blocks.get(block_id)
    editable = block is not None and block.type not in _NOT_CREATABLE
    if block is not None and editable and isinstance(body.get(block.type), dict):
        _merge(ctx, block, body[block.type])
        store.edit_stamp(block, ctx.caller, ctx.now)
    store.touch()
    return block_object(store, block_id)


def _merge(ctx: Ctx, block: Block, change: dict[str, Any]) -> None:
    path = f"body.{block.type}"
    for key, value in change.items():
        if key == "children":
            continue
        if key in ("rich_text", "caption"):
            block.data[key] = richtext.normalize(value, f"{path}.{key}")
        elif key == "icon":
            block.data[key] = _icon(value)
        else:
            block.data[key] = value


def _set_trash(ctx: Ctx, block_id: str, trash: bool) -> None:
    store = ctx.store
    obj: Any = store.pages.get(block_id) or store.databases.get(block_id)
    if obj is None:
        obj = store.blocks[block_id]
    obj.in_trash = trash
    if obj is store.pages.get(block_id):
        store.edit_stamp(obj, ctx.caller, ctx.now)
    store.touch()


def delete_block(ctx: Ctx, raw_id: str) -> dict[str, Any]:
    """``DELETE /v1/blocks/{id}``: move to the trash and return the block."""
    store = ctx.store
    block_id = store.block_id(ctx.caller, raw_id)
    _set_trash(ctx, block_id, True)
    return block_object(store, block_id)
