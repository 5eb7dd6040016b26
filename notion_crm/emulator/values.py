"""Page property values: request values checked and stored, stored values shown.

Stored forms (also the data file's): title/rich_text → full rich text objects;
number → number or null; select/status → option id; multi_select → option ids;
date → ``{start, end, time_zone}``; checkbox → bool; url/email/phone_number → string;
files → file objects; people → user ids; relation → page ids; unique_id → int.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from notion_crm.emulator import richtext
from notion_crm.emulator.errors import body_failed, too_long, validation
from notion_crm.emulator.ids import encode_property_id, fmt_minute, normalize_id
from notion_crm.emulator.model import DataSource, Page, PropSchema
from notion_crm.emulator.schema import check_option_name
from notion_crm.emulator.store import Store

PAGE_CUT = 25
MAX_RELATION = 100
READ_ONLY = {
    "created_time",
    "created_by",
    "last_edited_time",
    "last_edited_by",
    "formula",
    "rollup",
    "unique_id",
    "button",
    "verification",
    "last_visited_time",
}
EMPTY: dict[str, Any] = {
    "title": [],
    "rich_text": [],
    "multi_select": [],
    "files": [],
    "people": [],
    "relation": [],
    "checkbox": False,
}


def write_value(
    store: Store, source: DataSource | None, prop: PropSchema, raw: Any, path: str
) -> Any:
    """Check one request value of ``prop`` and return its stored form."""
    kind = prop.type
    if kind in READ_ONLY:
        raise validation(f"{prop.name} is a read-only property and cannot be updated.")
    value = _unwrap(raw, kind, path)
    path = f"{path}.{kind}"
    if kind in ("title", "rich_text"):
        return richtext.normalize(value, path)
    if kind == "number":
        return _number(value, path)
    if kind in ("select", "status"):
        return _select(store, source, prop, value, path)
    if kind == "multi_select":
        return _multi_select(store, source, prop, value, path)
    if kind == "date":
        return _date(value, path)
    if kind == "checkbox":
        if not isinstance(value, bool):
            raise body_failed(path, "should be a boolean")
        return value
    if kind in ("url", "email", "phone_number"):
        return _string(value, path, 2000 if kind == "url" else 200)
    if kind == "files":
        return _files(store, value, path)
    if kind == "people":
        return _id_list(value, path, MAX_RELATION)
    if kind == "relation":
        return _id_list(value, path, MAX_RELATION)
    raise validation(f"Unsupported property type {kind}.")


def _unwrap(raw: Any, kind: str, path: str) -> Any:
    if isinstance(raw, list) and kind in (
        "title",
        "rich_text",
        "multi_select",
        "files",
        "people",
        "relation",
    ):
        return raw
    if not isinstance(raw, dict) or kind not in raw:
        raise body_failed(
            f"{path}.{kind}", "should be defined, instead was `undefined`"
        )
    return raw[kind]


def _number(value: Any, path: str) -> Any:
    if value is None or (
        isinstance(value, int | float) and not isinstance(value, bool)
    ):
        return value
    raise body_failed(path, f"should be a number or `null`, instead was `{value!r}`")


def _string(value: Any, path: str, limit: int) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise body_failed(path, "should be a string or `null`")
    if len(value) > limit:
        raise too_long(f"{path}.length", limit, len(value))
    return value


def _select(
    store: Store, source: DataSource | None, prop: PropSchema, value: Any, path: str
) -> str | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise body_failed(path, "should be an object or `null`")
    options = prop.config.setdefault("options", [])
    if "id" in value:
        for option in options:
            if option["id"] == value["id"]:
                return str(option["id"])
        raise validation(f"Invalid select option id for property {prop.name}.")
    name = value.get("name")
    if not isinstance(name, str):
        raise body_failed(f"{path}.name", "should be a string")
    for option in options:
        if option["name"] == name:
            return str(option["id"])
    if prop.type == "status":
        allowed = ", ".join(f'"{o["name"]}"' for o in options)
        raise validation(
            f'Invalid status value for property "{prop.name}". Value must be one of: '
            f"{allowed}."
        )
    return _create_option(store, source, prop, name)


def _create_option(
    store: Store, source: DataSource | None, prop: PropSchema, name: str
) -> str:
    check_option_name(name)
    option = {
        "id": store.new_id(),
        "name": name,
        "color": "default",
        "description": None,
    }
    prop.config["options"].append(option)
    if source is not None:
        source.schema_version += 1
    return str(option["id"])


def _multi_select(
    store: Store, source: DataSource | None, prop: PropSchema, value: Any, path: str
) -> list[str]:
    if not isinstance(value, list):
        raise body_failed(path, "should be an array")
    if len(value) > MAX_RELATION:
        raise too_long(f"{path}.length", MAX_RELATION, len(value))
    out: list[str] = []
    for index, entry in enumerate(value):
        option_id = _select(store, source, prop, entry, f"{path}[{index}]")
        if option_id is not None and option_id not in out:
            out.append(option_id)
    return out


def _date(value: Any, path: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("start"), str):
        raise body_failed(f"{path}.start", "should be a string")
    zone = value.get("time_zone")
    start = normalize_date(value["start"], zone, f"{path}.start")
    end_raw = value.get("end")
    end = (
        normalize_date(end_raw, zone, f"{path}.end")
        if isinstance(end_raw, str)
        else None
    )
    return {"start": start, "end": end, "time_zone": None}


def normalize_date(text: str, zone: Any, path: str) -> str:
    """A date as Notion returns it: ``YYYY-MM-DD`` or ``…T10:00:00.000+02:00``."""
    if len(text) == 10:
        try:
            date.fromisoformat(text)
        except ValueError as exc:
            raise body_failed(path, "should be a valid ISO 8601 date string") from exc
        return text
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise body_failed(path, "should be a valid ISO 8601 date string") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_zone(zone, path))
    offset = moment.strftime("%z")
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}{offset[:3]}:{offset[3:]}"
    )


def _zone(zone: Any, path: str) -> ZoneInfo:
    if zone is None:
        return ZoneInfo("UTC")
    try:
        return ZoneInfo(str(zone))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise body_failed(path, "time_zone should be a valid IANA zone") from exc


def _id_list(value: Any, path: str, limit: int) -> list[str]:
    if not isinstance(value, list):
        raise body_failed(path, "should be an array")
    if len(value) > limit:
        raise too_long(f"{path}.length", limit, len(value))
    out: list[str] = []
    for index, entry in enumerate(value):
        raw = entry.get("id") if isinstance(entry, dict) else None
        object_id = normalize_id(raw) if isinstance(raw, str) else None
        if object_id is None:
            raise body_failed(f"{path}[{index}].id", "should be a valid uuid")
        if object_id not in out:
            out.append(object_id)
    return out


def _files(store: Store, value: Any, path: str) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise body_failed(path, "should be an array")
    return [file_object(store, entry, f"{path}[{i}]") for i, entry in enumerate(value)]


def file_object(store: Store, entry: Any, path: str) -> dict[str, Any]:
    """A stored file reference: external URL, or an attached file upload."""
    if not isinstance(entry, dict):
        raise body_failed(path, "should be an object")
    kind = entry.get("type") or next(
        (k for k in ("external", "file_upload", "file") if k in entry), None
    )
    name = entry.get("name")
    if kind == "external" and isinstance(entry.get("external"), dict):
        url = str(entry["external"].get("url", ""))
        return {
            "name": name or url.rsplit("/", 1)[-1],
            "type": "external",
            "external": {"url": url},
        }
    if kind == "file_upload" and isinstance(entry.get("file_upload"), dict):
        upload_id = normalize_id(str(entry["file_upload"].get("id", ""))) or ""
        upload = store.uploads.get(upload_id)
        if upload is None or upload.status != "uploaded":
            raise validation(
                f"The file upload with ID {upload_id} is not in the uploaded state."
            )
        filename = upload.filename or "file"
        return {
            "name": name or filename,
            "type": "file",
            "file": {
                "url": f"https://files.emulator.invalid/{upload.id}/{filename}",
                "expiry_time": None,
            },
        }
    if kind == "file" and isinstance(entry.get("file"), dict):
        return {"name": name, "type": "file", "file": dict(entry["file"])}
    raise body_failed(path, "should be an external file or a file upload")


def user_ref(user_id: str) -> dict[str, Any]:
    """A partial user object."""
    return {"object": "user", "id": user_id}


def show_value(
    store: Store, source: DataSource | None, prop: PropSchema, page: Page, cut: bool
) -> dict[str, Any]:
    """The value of ``prop`` on ``page`` as a page object shows it."""
    from notion_crm.emulator.computed import formula_value, rollup_value

    kind = prop.type
    out: dict[str, Any] = {"id": encode_property_id(prop.id), "type": kind}
    stored = page.props.get(prop.id, EMPTY.get(kind))
    if kind in ("select", "status"):
        out[kind] = _shown_option(prop, stored)
    elif kind == "multi_select":
        shown = [_shown_option(prop, option_id) for option_id in stored or []]
        out[kind] = [o for o in shown if o is not None]
    elif kind == "relation":
        ids = list(stored or [])
        out[kind] = [{"id": i} for i in (ids[:PAGE_CUT] if cut else ids)]
        out["has_more"] = cut and len(ids) > PAGE_CUT
    elif kind == "people":
        ids = list(stored or [])
        out[kind] = [show_user(store, i) for i in (ids[:PAGE_CUT] if cut else ids)]
        if cut and len(ids) > PAGE_CUT:
            out["has_more"] = True
    elif kind == "created_time":
        out[kind] = fmt_minute(page.created_time)
    elif kind == "last_edited_time":
        out[kind] = fmt_minute(page.last_edited_time)
    elif kind == "created_by":
        out[kind] = user_ref(page.created_by)
    elif kind == "last_edited_by":
        out[kind] = user_ref(page.last_edited_by)
    elif kind == "unique_id":
        out[kind] = {"prefix": prop.config.get("prefix"), "number": stored}
    elif kind == "formula":
        out[kind] = formula_value(store, source, prop, page)
    elif kind == "rollup":
        out[kind] = rollup_value(store, source, prop, page, cut)
    elif kind in ("button", "location", "place", "verification", "last_visited_time"):
        out[kind] = {}
    else:
        out[kind] = stored
    return out


def show_user(store: Store, user_id: str) -> dict[str, Any]:
    """A user as people values show it."""
    user = store.users.get(user_id)
    if user is None:
        return user_ref(user_id)
    from notion_crm.emulator.users import user_object

    return user_object(store, user)


def _shown_option(prop: PropSchema, option_id: Any) -> dict[str, Any] | None:
    for option in prop.config.get("options", []):
        if option["id"] == option_id:
            return {
                "id": option["id"],
                "name": option["name"],
                "color": option["color"],
            }
    return None
