"""The in-memory workspace: every object, who may see it, and the id generator.

The store knows nothing of HTTP. Handlers look objects up through it, so that an
object missing, trashed-and-gone or not shared all answer Notion's 404 the same way.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from notion_crm.emulator.errors import ApiError, not_found
from notion_crm.emulator.ids import normalize_id
from notion_crm.emulator.model import (
    Block,
    Caller,
    Database,
    DataSource,
    FileUpload,
    Page,
    User,
    View,
    ViewQuery,
)


@dataclass
class Store:
    """All objects of the emulated workspace, keyed by dashed id."""

    workspace_id: str
    workspace_name: str
    bot_id: str
    root_page_id: str
    rng: random.Random
    users: dict[str, User] = field(default_factory=dict)
    pages: dict[str, Page] = field(default_factory=dict)
    blocks: dict[str, Block] = field(default_factory=dict)
    children: dict[str, list[str]] = field(default_factory=dict)
    databases: dict[str, Database] = field(default_factory=dict)
    data_sources: dict[str, DataSource] = field(default_factory=dict)
    views: dict[str, View] = field(default_factory=dict)
    view_queries: dict[str, ViewQuery] = field(default_factory=dict)
    uploads: dict[str, FileUpload] = field(default_factory=dict)
    upload_bytes: dict[str, bytes] = field(default_factory=dict)
    shared: set[str] = field(default_factory=set)
    unshared: set[str] = field(default_factory=set)
    blocks_created: int = 0
    limit_reached_at: datetime | None = None
    cursors: dict[str, tuple[str, int, str]] = field(default_factory=dict)
    dirty: bool = False
    revision: int = 0
    save_cache: dict[str, tuple[int, str]] = field(default_factory=dict)
    query_cache: dict[str, tuple[Any, list[str]]] = field(default_factory=dict)
    page_cache: dict[str, tuple[tuple[int, int], dict[str, Any]]] = field(
        default_factory=dict
    )

    # ---- structure -------------------------------------------------------------

    def parent_of(self, object_id: str) -> str | None:
        """The id of the object above ``object_id`` (page, block, database)."""
        page = self.pages.get(object_id)
        if page is not None:
            if page.parent_type == "data_source_id" and page.parent_id:
                source = self.data_sources.get(page.parent_id)
                return source.database_id if source else None
            return page.parent_id
        database = self.databases.get(object_id)
        if database is not None:
            return database.parent_id
        source = self.data_sources.get(object_id)
        if source is not None:
            return source.database_id
        block = self.blocks.get(object_id)
        if block is not None:
            return block.parent_id
        return None

    def visible(self, caller: Caller, object_id: str) -> bool:
        """Whether ``caller`` may reach ``object_id`` (persons see everything)."""
        if caller.workspace_id != self.workspace_id:
            return False
        if caller.kind == "person":
            return True
        current: str | None = object_id
        for _ in range(10_000):
            if current is None or current in self.unshared:
                return False
            if current in self.shared:
                return True
            current = self.parent_of(current)
        return False

    def is_trashed_deep(self, object_id: str) -> bool:
        """Whether the object or one of its ancestors sits in the trash."""
        current: str | None = object_id
        for _ in range(10_000):
            if current is None:
                return False
            for table in (self.pages, self.databases, self.blocks, self.data_sources):
                obj = table.get(current)
                if obj is not None and getattr(obj, "in_trash", False):
                    return True
            current = self.parent_of(current)
        return False

    # ---- lookups ---------------------------------------------------------------

    def _missing(self, caller: Caller, kind: str, raw: str) -> ApiError:
        shown = normalize_id(raw) or raw
        return not_found(kind, shown, caller.integration_name, caller.user_id)

    def resolve(self, raw: str) -> str | None:
        """Normalize an id taken from a request."""
        return normalize_id(raw)

    def page(self, caller: Caller, raw: str) -> Page:
        """The page ``raw`` or a 404."""
        object_id = normalize_id(raw)
        page = self.pages.get(object_id or "")
        if page is None or not self.visible(caller, page.id):
            raise self._missing(caller, "page", raw)
        return page

    def database(self, caller: Caller, raw: str) -> Database:
        """The database ``raw`` or a 404."""
        object_id = normalize_id(raw)
        database = self.databases.get(object_id or "")
        if database is None or not self.visible(caller, database.id):
            raise self._missing(caller, "database", raw)
        return database

    def data_source(self, caller: Caller, raw: str) -> DataSource:
        """The data source ``raw`` or a 404."""
        object_id = normalize_id(raw)
        source = self.data_sources.get(object_id or "")
        if source is None or not self.visible(caller, source.id):
            raise self._missing(caller, "data_source", raw)
        return source

    def block_id(self, caller: Caller, raw: str) -> str:
        """The id of a block, page or database reachable as a block, or a 404."""
        object_id = normalize_id(raw) or ""
        known = (
            object_id in self.blocks
            or object_id in self.pages
            or object_id in self.databases
        )
        if not known or not self.visible(caller, object_id):
            raise self._missing(caller, "block", raw)
        return object_id

    def view(self, caller: Caller, raw: str) -> View:
        """The view ``raw`` or a 404."""
        object_id = normalize_id(raw)
        view = self.views.get(object_id or "")
        if view is None or not self.visible(caller, view.database_id):
            raise self._missing(caller, "view", raw)
        return view

    def user(self, caller: Caller, raw: str) -> User:
        """The user ``raw`` or a 404."""
        object_id = normalize_id(raw)
        user = self.users.get(object_id or "")
        if user is None or caller.workspace_id != self.workspace_id:
            raise self._missing(caller, "user", raw)
        return user

    # ---- bookkeeping -----------------------------------------------------------

    def new_id(self) -> str:
        """A fresh object id."""
        from notion_crm.emulator.ids import new_uuid

        return new_uuid(self.rng)

    def touch(self) -> None:
        """Mark the store as changed (saved after the request)."""
        self.dirty = True
        self.revision += 1

    def title_of_page(self, page: Page) -> str:
        """The plain text of a page's title property."""
        items = page.props.get("title") or []
        return "".join(item.get("plain_text", "") for item in items)

    def edit_stamp(self, obj: Any, caller: Caller, now: datetime) -> None:
        """Record an edit on a page, block or data source (minute-rounded)."""
        from notion_crm.emulator.ids import floor_minute

        obj.last_edited_time = floor_minute(now)
        obj.last_edited_by = caller.user_id
        if isinstance(obj, Page):
            obj.version += 1
        self.touch()
