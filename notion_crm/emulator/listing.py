"""Data source queries and search: filter, sort, cap and paginate.

Result lists are cached per request shape and store revision, so paging through a
large result set filters it once.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from notion_crm.emulator import richtext
from notion_crm.emulator.context import Ctx, page_size
from notion_crm.emulator.databases import data_source_object
from notion_crm.emulator.errors import body_failed
from notion_crm.emulator.ids import floor_minute
from notion_crm.emulator.model import Page
from notion_crm.emulator.pages import page_object
from notion_crm.emulator.query import Compiler


def _scope(*parts: Any) -> str:
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def _matches(ctx: Ctx, source_id: str, body: dict[str, Any], scope: str) -> list[str]:
    store = ctx.store
    key = (scope, store.revision, floor_minute(ctx.now))
    cached = store.query_cache.get(scope)
    if cached is not None and cached[0] == key:
        return cached[1]
    source = store.data_sources[source_id]
    compiler = Compiler(store, source, ctx.caller, ctx.now)
    trashed = bool(body.get("in_trash", body.get("archived", False)))
    pages = [store.pages[i] for i in source.page_ids]
    pages = [p for p in pages if p.in_trash == trashed]
    if body.get("filter") is not None:
        check = compiler.compile(body["filter"])
        pages = [p for p in pages if check(p)]
    pages = compiler.sort(pages, body.get("sorts"))
    ids = [p.id for p in pages]
    store.query_cache[scope] = (key, ids)
    if len(store.query_cache) > 64:
        store.query_cache.pop(next(iter(store.query_cache)))
    return ids


def query_data_source(
    ctx: Ctx, raw_id: str, body: dict[str, Any], query: dict[str, list[str]]
) -> dict[str, Any]:
    """``POST /v1/data_sources/{id}/query``."""
    store = ctx.store
    source = store.data_source(ctx.caller, raw_id)
    size = page_size(body.get("page_size"))
    shape = {k: body.get(k) for k in ("filter", "sorts", "in_trash", "archived")}
    scope = _scope("query", source.id, shape, ctx.caller.user_id)
    ids = _matches(ctx, source.id, body, scope)
    capped = ids[: ctx.query_cap]
    incomplete = len(ids) > ctx.query_cap
    page = _paginate(ctx, scope, capped, body.get("start_cursor"), size)
    wanted = query.get("filter_properties")
    results = [page_object(store, store.pages[i], wanted) for i in page["ids"]]
    out: dict[str, Any] = {
        "object": "list",
        "results": results,
        "next_cursor": page["next_cursor"],
        "has_more": page["has_more"],
        "type": "page_or_data_source",
        "page_or_data_source": {},
    }
    if incomplete and not page["has_more"]:
        out["request_status"] = {
            "type": "incomplete",
            "incomplete_reason": "query_result_limit_reached",
        }
    return out


def _paginate(
    ctx: Ctx, scope: str, ids: list[str], cursor: Any, size: int
) -> dict[str, Any]:
    start = 0
    if cursor is not None:
        if not isinstance(cursor, str):
            raise body_failed("body.start_cursor", "should be a string")
        start = ctx.read_cursor(scope, cursor, ids)
    chunk = ids[start : start + size]
    more = start + size < len(ids)
    next_cursor = (
        ctx.open_cursor(scope, start + size, ids[start + size]) if more else None
    )
    if more and ctx.cursor_fault == "loopcursor":
        next_cursor = (
            cursor if isinstance(cursor, str) else ctx.open_cursor(scope, 0, ids[0])
        )
    return {"ids": chunk, "next_cursor": next_cursor, "has_more": more}


def search(ctx: Ctx, body: dict[str, Any]) -> dict[str, Any]:
    """``POST /v1/search``: pages and data sources whose title contains ``query``."""
    store, caller = ctx.store, ctx.caller
    text = str(body.get("query") or "").casefold()
    kind = _object_filter(body.get("filter"))
    found: list[tuple[Any, str, str]] = []
    if kind in (None, "page"):
        found += _search_pages(ctx, text)
    if kind in (None, "data_source"):
        for source in store.data_sources.values():
            title = richtext.plain(source.title).casefold()
            if (
                not source.in_trash
                and text in title
                and store.visible(caller, source.id)
            ):
                found.append((source.last_edited_time, source.id, "data_source"))
    descending = _sort_direction(body.get("sort"))
    found.sort(key=lambda item: (item[0], item[1]), reverse=descending)
    keys = [f"{k}:{i}" for _, i, k in found]
    scope = _scope("search", text, kind, descending, caller.user_id)
    size = page_size(body.get("page_size"))
    page = _paginate(ctx, scope, keys, body.get("start_cursor"), size)
    results = []
    for key in page["ids"]:
        kind_name, object_id = key.split(":", 1)
        if kind_name == "page":
            results.append(page_object(store, store.pages[object_id]))
        else:
            results.append(data_source_object(store, store.data_sources[object_id]))
    return {
        "object": "list",
        "results": results,
        "next_cursor": page["next_cursor"],
        "has_more": page["has_more"],
        "type": "page_or_data_source",
        "page_or_data_source": {},
    }


def _search_pages(ctx: Ctx, text: str) -> list[tuple[Any, str, str]]:
    store, caller = ctx.store, ctx.caller
    visible_sources: dict[str, bool] = {}
    out = []
    for page in store.pages.values():
        if page.in_trash or text not in store.title_of_page(page).casefold():
            continue
        if not _page_visible(ctx, page, visible_sources):
            continue
        out.append((page.last_edited_time, page.id, "page"))
    del caller
    return out


def _page_visible(ctx: Ctx, page: Page, sources: dict[str, bool]) -> bool:
    store = ctx.store
    if page.parent_type == "data_source_id" and page.parent_id:
        if page.parent_id not in sources:
            sources[page.parent_id] = store.visible(ctx.caller, page.parent_id)
        if sources[page.parent_id]:
            return True
    return store.visible(ctx.caller, page.id)


def _object_filter(raw: Any) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or raw.get("property") != "object":
        raise body_failed("body.filter.property", "should be `object`")
    value = raw.get("value")
    if value not in ("page", "data_source"):
        raise body_failed(
            "body.filter.value",
            f'should be `"page"` or `"data_source"`, instead was `"{value}"`',
        )
    return str(value)


def _sort_direction(raw: Any) -> bool:
    if raw is None:
        return True
    if not isinstance(raw, dict) or raw.get("timestamp") != "last_edited_time":
        raise body_failed("body.sort.timestamp", "should be `last_edited_time`")
    return bool(raw.get("direction", "descending") == "descending")
