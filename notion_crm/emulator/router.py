"""The table of ``/v1/`` endpoints: method, path template, handler."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from notion_crm.emulator import blocks, databases, files, listing, pages, users, views
from notion_crm.emulator.context import Ctx


@dataclass(frozen=True)
class Request:
    """A parsed API request as handlers see it."""

    params: dict[str, str]
    query: dict[str, list[str]]
    body: dict[str, Any]
    raw_body: bytes
    content_type: str


Handler = Callable[[Ctx, Request], dict[str, Any]]


def _users_me(ctx: Ctx, r: Request) -> dict[str, Any]:
    return users.me(ctx.store, ctx.caller, ctx.upload_limit)


def _users_list(ctx: Ctx, r: Request) -> dict[str, Any]:
    results = users.list_users(ctx.store, ctx.caller, ctx.upload_limit)
    return {
        "object": "list",
        "results": results,
        "next_cursor": None,
        "has_more": False,
        "type": "user",
        "user": {},
    }


def _users_get(ctx: Ctx, r: Request) -> dict[str, Any]:
    user = ctx.store.user(ctx.caller, r.params["id"])
    return users.user_object(
        ctx.store, user, upload_limit=ctx.upload_limit if user.type == "bot" else None
    )


ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", "/v1/users/me", _users_me),
    ("GET", "/v1/users", _users_list),
    ("GET", "/v1/users/{id}", _users_get),
    ("POST", "/v1/pages", lambda c, r: pages.create_page(c, r.body)),
    (
        "GET",
        "/v1/pages/{id}",
        lambda c, r: pages.retrieve_page(c, r.params["id"], r.query),
    ),
    (
        "PATCH",
        "/v1/pages/{id}",
        lambda c, r: pages.update_page(c, r.params["id"], r.body),
    ),
    (
        "POST",
        "/v1/pages/{id}/move",
        lambda c, r: pages.move_page(c, r.params["id"], r.body),
    ),
    (
        "GET",
        "/v1/pages/{id}/properties/{property_id}",
        lambda c, r: pages.property_item(
            c, r.params["id"], r.params["property_id"], r.query
        ),
    ),
    ("POST", "/v1/databases", lambda c, r: databases.create_database(c, r.body)),
    (
        "GET",
        "/v1/databases/{id}",
        lambda c, r: databases.retrieve_database(c, r.params["id"]),
    ),
    (
        "PATCH",
        "/v1/databases/{id}",
        lambda c, r: databases.update_database(c, r.params["id"], r.body),
    ),
    ("POST", "/v1/data_sources", lambda c, r: databases.create_data_source(c, r.body)),
    (
        "GET",
        "/v1/data_sources/{id}",
        lambda c, r: databases.retrieve_data_source(c, r.params["id"]),
    ),
    (
        "PATCH",
        "/v1/data_sources/{id}",
        lambda c, r: databases.update_data_source(c, r.params["id"], r.body),
    ),
    (
        "POST",
        "/v1/data_sources/{id}/query",
        lambda c, r: listing.query_data_source(c, r.params["id"], r.body, r.query),
    ),
    ("GET", "/v1/blocks/{id}", lambda c, r: blocks.retrieve_block(c, r.params["id"])),
    (
        "PATCH",
        "/v1/blocks/{id}",
        lambda c, r: blocks.update_block(c, r.params["id"], r.body),
    ),
    ("DELETE", "/v1/blocks/{id}", lambda c, r: blocks.delete_block(c, r.params["id"])),
    (
        "GET",
        "/v1/blocks/{id}/children",
        lambda c, r: blocks.list_children(c, r.params["id"], r.query),
    ),
    (
        "PATCH",
        "/v1/blocks/{id}/children",
        lambda c, r: blocks.append_children(c, r.params["id"], r.body),
    ),
    ("POST", "/v1/search", lambda c, r: listing.search(c, r.body)),
    ("POST", "/v1/views", lambda c, r: views.create_view(c, r.body)),
    ("GET", "/v1/views", lambda c, r: views.list_views(c, r.query)),
    ("GET", "/v1/views/{id}", lambda c, r: views.retrieve_view(c, r.params["id"])),
    (
        "PATCH",
        "/v1/views/{id}",
        lambda c, r: views.update_view(c, r.params["id"], r.body),
    ),
    ("DELETE", "/v1/views/{id}", lambda c, r: views.delete_view(c, r.params["id"])),
    (
        "POST",
        "/v1/views/{id}/queries",
        lambda c, r: views.create_query(c, r.params["id"], r.body),
    ),
    (
        "GET",
        "/v1/views/{id}/queries/{query_id}",
        lambda c, r: views.get_query(c, r.params["id"], r.params["query_id"], r.query),
    ),
    (
        "DELETE",
        "/v1/views/{id}/queries/{query_id}",
        lambda c, r: views.delete_query(c, r.params["id"], r.params["query_id"]),
    ),
    ("POST", "/v1/file_uploads", lambda c, r: files.create_upload(c, r.body)),
    ("GET", "/v1/file_uploads", lambda c, r: files.list_uploads(c, r.query)),
    (
        "GET",
        "/v1/file_uploads/{id}",
        lambda c, r: files.retrieve_upload(c, r.params["id"]),
    ),
    (
        "POST",
        "/v1/file_uploads/{id}/send",
        lambda c, r: files.send_upload(c, r.params["id"], r.content_type, r.raw_body),
    ),
    (
        "POST",
        "/v1/file_uploads/{id}/complete",
        lambda c, r: files.complete_upload(c, r.params["id"]),
    ),
]

READ_ONLY_POSTS = {"/v1/data_sources/{id}/query", "/v1/search"}
PAGINATED = {
    "/v1/data_sources/{id}/query",
    "/v1/search",
    "/v1/blocks/{id}/children",
    "/v1/pages/{id}/properties/{property_id}",
}
WITH_BODY = {"POST", "PATCH"}


def match(method: str, path: str) -> tuple[str | None, Handler | None, dict[str, str]]:
    """The template and handler for ``path``; (template, None) on a wrong method."""
    segments = path.rstrip("/").split("/")
    found_template: str | None = None
    for route_method, template, handler in ROUTES:
        parts = template.split("/")
        if len(parts) != len(segments):
            continue
        params: dict[str, str] = {}
        for want, got in zip(parts, segments, strict=True):
            if want.startswith("{"):
                if not got:
                    break
                params[want[1:-1]] = got
            elif want != got:
                break
        else:
            if route_method == method:
                return template, handler, params
            found_template = found_template or template
    return found_template, None, {}


def is_mutation(method: str, template: str | None) -> bool:
    """Whether a request may change the workspace."""
    if method in ("GET", "HEAD"):
        return False
    return template not in READ_ONLY_POSTS
