"""The data file: a JSON snapshot of the workspace, written atomically.

The format (``"version": 1``) is documented in ``docs/emulator.md``. Page property
values are stored per property id in the internal forms of :mod:`values`.
:func:`bulk_add_pages` lets a benchmark fill a data file without going through HTTP.
"""

from __future__ import annotations

import json
import logging
import os
import random
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import asdict, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from notion_crm.emulator.ids import floor_minute, normalize_id
from notion_crm.emulator.model import (
    Block,
    Database,
    DataSource,
    FileUpload,
    Page,
    PropSchema,
    User,
    View,
)
from notion_crm.emulator.store import Store

logger = logging.getLogger(__name__)
FORMAT_VERSION = 1
_TIME_FIELDS = {"created_time", "last_edited_time", "expiry_time"}


def _encode(obj: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for spec in fields(obj):
        value = getattr(obj, spec.name)
        out[spec.name] = value.isoformat() if isinstance(value, datetime) else value
    return out


def _decode(cls: Any, raw: Mapping[str, Any]) -> Any:
    names = {f.name for f in fields(cls)}
    values = {k: v for k, v in raw.items() if k in names}
    for key in _TIME_FIELDS & values.keys():
        values[key] = datetime.fromisoformat(values[key])
    return cls(**values)


def _page_fragment(store: Store, page: Page) -> str:
    cache = store.save_cache
    hit = cache.get(page.id)
    if hit is not None and hit[0] == page.version:
        return hit[1]
    text = json.dumps(_encode(page), ensure_ascii=False)
    cache[page.id] = (page.version, text)
    return text


def dump_text(store: Store) -> str:
    """The whole workspace as the data file's JSON text."""
    head = {
        "version": FORMAT_VERSION,
        "workspace": {
            "id": store.workspace_id,
            "name": store.workspace_name,
            "bot_id": store.bot_id,
            "root_page_id": store.root_page_id,
            "blocks_created": store.blocks_created,
            "limit_reached_at": store.limit_reached_at.isoformat()
            if store.limit_reached_at
            else None,
            "rng_state": _rng_state(store.rng),
        },
        "users": [asdict(u) for u in store.users.values()],
        "shared": sorted(store.shared),
        "unshared": sorted(store.unshared),
        "databases": {k: _encode(v) for k, v in store.databases.items()},
        "data_sources": {k: _encode_source(v) for k, v in store.data_sources.items()},
        "blocks": {k: _encode(v) for k, v in store.blocks.items()},
        "children": store.children,
        "views": {k: _encode(v) for k, v in store.views.items()},
        "file_uploads": {k: _encode(v) for k, v in store.uploads.items()},
    }
    text = json.dumps(head, ensure_ascii=False)
    pages = ",".join(
        f"{json.dumps(pid)}:{_page_fragment(store, page)}"
        for pid, page in store.pages.items()
    )
    return text[:-1] + ',"pages":{' + pages + "}}"


def _rng_state(rng: random.Random) -> list[Any]:
    version, internal, gauss = rng.getstate()
    return [version, list(internal), gauss]


def save(store: Store, path: Path) -> None:
    """Write the data file atomically (temporary file, then ``os.replace``)."""
    text = dump_text(store)
    directory = path.resolve().parent
    directory.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=".emulator-", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    store.dirty = False


def load_data(data: Mapping[str, Any], seed: int) -> Store:
    """Rebuild a store from the parsed data file."""
    if data.get("version") != FORMAT_VERSION:
        raise ValueError(f"unsupported emulator data version {data.get('version')!r}")
    head = data["workspace"]
    rng = random.Random(seed)
    if head.get("rng_state"):
        version, internal, gauss = head["rng_state"]
        rng.setstate((version, tuple(internal), gauss))
    store = Store(head["id"], head["name"], head["bot_id"], head["root_page_id"], rng)
    store.blocks_created = int(head.get("blocks_created", 0))
    if head.get("limit_reached_at"):
        store.limit_reached_at = datetime.fromisoformat(head["limit_reached_at"])
    store.users = {u["id"]: User(**u) for u in data.get("users", [])}
    store.shared = set(data.get("shared", []))
    store.unshared = set(data.get("unshared", []))
    store.pages = {k: _decode(Page, v) for k, v in data.get("pages", {}).items()}
    store.databases = {
        k: _decode(Database, v) for k, v in data.get("databases", {}).items()
    }
    store.data_sources = {
        k: _load_source(v) for k, v in data.get("data_sources", {}).items()
    }
    store.blocks = {k: _decode(Block, v) for k, v in data.get("blocks", {}).items()}
    store.children = {k: list(v) for k, v in data.get("children", {}).items()}
    store.views = {k: _decode(View, v) for k, v in data.get("views", {}).items()}
    store.uploads = {
        k: _load_upload(v) for k, v in data.get("file_uploads", {}).items()
    }
    return store


def _load_source(raw: Mapping[str, Any]) -> DataSource:
    source: DataSource = _decode(DataSource, raw)
    source.properties = {p["id"]: PropSchema(**p) for p in raw["properties"].values()}
    return source


def _encode_source(source: DataSource) -> dict[str, Any]:
    out = _encode(source)
    out["properties"] = {k: asdict(v) for k, v in source.properties.items()}
    return out


def _load_upload(raw: Mapping[str, Any]) -> FileUpload:
    upload: FileUpload = _decode(FileUpload, raw)
    upload.parts = {int(k): int(v) for k, v in (raw.get("parts") or {}).items()}
    return upload


def load(path: Path, seed: int) -> Store:
    """Read the data file at ``path``."""
    with path.open(encoding="utf-8") as handle:
        data = json.load(handle)
    store = load_data(data, seed)
    logger.info("loaded %d pages from %s", len(store.pages), path)
    return store


def bulk_add_pages(
    path: Path,
    data_source_id: str,
    pages: Iterable[Mapping[str, Any]],
    *,
    created_times: Iterable[datetime] | None = None,
    created_by: str | None = None,
    seed: int = 0,
) -> list[str]:
    """Append rows to a data source of a saved data file, without HTTP.

    Each row maps a property id (decoded or URL-encoded) or name to an API-style write
    value, e.g. ``{"title": {"title": [{"text": {"content": "Acme"}}]}}``. Two-way
    relations are mirrored as the API would. Returns the new page ids, in order.
    """
    from notion_crm.emulator.pages import defaults, sync_relation
    from notion_crm.emulator.schema import find_property
    from notion_crm.emulator.values import write_value

    store = load(path, seed)
    source = store.data_sources[normalize_id(data_source_id) or data_source_id]
    author = created_by or store.bot_id
    times = iter(created_times) if created_times is not None else None
    added: list[str] = []
    for row in pages:
        stamp = floor_minute(next(times) if times else datetime.now(UTC))
        page = Page(
            store.new_id(),
            "data_source_id",
            source.id,
            {"title": []},
            stamp,
            stamp,
            author,
            author,
        )
        defaults(store, source, page)
        store.pages[page.id] = page
        source.page_ids.append(page.id)
        for key, value in row.items():
            prop = find_property(source, key)
            if prop is None:
                raise KeyError(f"no property {key!r} in data source {source.id}")
            stored = write_value(store, source, prop, value, f"pages.{key}")
            old = page.props.get(prop.id)
            page.props[prop.id] = stored
            if prop.type == "relation":
                sync_relation(store, prop, page, list(old or []), stored)
        store.blocks_created += 1
        added.append(page.id)
    save(store, path)
    return added
