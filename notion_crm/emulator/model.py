"""The objects the emulator stores, in an internal form close to Notion's.

Page property values are kept per property id (decoded) in the internal forms listed
in ``docs/emulator.md``: rich text arrays as full rich text objects, selects as option
ids, relations as page ids, people as user ids, dates as ``{start, end, time_zone}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

JSON = dict[str, Any]


@dataclass
class User:
    """A person or a bot (one bot per integration token)."""

    id: str
    name: str
    type: str
    email: str | None = None
    workspace_id: str = ""
    workspace_name: str = ""


@dataclass
class Caller:
    """Who sends a request: the integration (a bot) or a person."""

    kind: str
    user_id: str
    workspace_id: str
    integration_name: str = ""
    token: str = ""


@dataclass
class Page:
    """A page: a row of a data source, or a page under a page or block."""

    id: str
    parent_type: str
    parent_id: str | None
    props: JSON
    created_time: datetime
    last_edited_time: datetime
    created_by: str
    last_edited_by: str
    icon: JSON | None = None
    cover: JSON | None = None
    in_trash: bool = False
    is_locked: bool = False
    version: int = 0


@dataclass
class Block:
    """A content block; ``child_page``/``child_database`` blocks share their id."""

    id: str
    parent_type: str
    parent_id: str
    type: str
    data: JSON
    created_time: datetime
    last_edited_time: datetime
    created_by: str
    last_edited_by: str
    in_trash: bool = False


@dataclass
class PropSchema:
    """One property of a data source: id, name, type and type configuration."""

    id: str
    name: str
    type: str
    config: JSON = field(default_factory=dict)
    description: str | None = None
    api_created: bool = False


@dataclass
class DataSource:
    """A table of a database: its schema and the ordered ids of its rows."""

    id: str
    database_id: str
    title: list[JSON]
    properties: dict[str, PropSchema]
    created_time: datetime
    last_edited_time: datetime
    created_by: str
    last_edited_by: str
    description: list[JSON] = field(default_factory=list)
    icon: JSON | None = None
    cover: JSON | None = None
    in_trash: bool = False
    page_ids: list[str] = field(default_factory=list)
    schema_version: int = 0
    next_unique: dict[str, int] = field(default_factory=dict)


@dataclass
class Database:
    """A container of data sources, shown as a ``child_database`` block."""

    id: str
    parent_type: str
    parent_id: str
    title: list[JSON]
    created_time: datetime
    last_edited_time: datetime
    created_by: str
    last_edited_by: str
    description: list[JSON] = field(default_factory=list)
    is_inline: bool = False
    icon: JSON | None = None
    cover: JSON | None = None
    in_trash: bool = False
    is_locked: bool = False
    data_source_ids: list[str] = field(default_factory=list)


@dataclass
class View:
    """A view of a database: type, filter, sorts and configuration."""

    id: str
    database_id: str
    data_source_id: str | None
    name: str
    type: str
    created_time: datetime
    last_edited_time: datetime
    created_by: str
    last_edited_by: str
    filter: JSON | None = None
    sorts: list[JSON] | None = None
    quick_filters: JSON | None = None
    configuration: JSON | None = None


@dataclass
class ViewQuery:
    """A materialised view query, expiring 15 minutes after creation."""

    id: str
    view_id: str
    page_ids: list[str]
    expires_at: datetime


@dataclass
class FileUpload:
    """An upload: created, sent (in parts for multi_part), then attached."""

    id: str
    mode: str
    filename: str | None
    content_type: str | None
    created_time: datetime
    expiry_time: datetime
    created_by: str
    status: str = "pending"
    content_length: int | None = None
    number_of_parts: int | None = None
    parts: dict[int, int] = field(default_factory=dict)
    external_url: str | None = None
    in_trash: bool = False
