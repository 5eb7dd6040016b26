"""Data source schemas: property configurations created, updated and shown.

Property configs are stored without the parts Notion derives at read time (the
relation's ``database_id`` and its synced property name), so renames show through.
"""

from __future__ import annotations

from typing import Any

from notion_crm.emulator.errors import body_failed, validation
from notion_crm.emulator.ids import encode_property_id, new_property_id, new_uuid
from notion_crm.emulator.model import Caller, DataSource, PropSchema
from notion_crm.emulator.store import Store

SIMPLE_TYPES = {
    "title",
    "rich_text",
    "date",
    "people",
    "files",
    "checkbox",
    "url",
    "email",
    "phone_number",
    "created_time",
    "created_by",
    "last_edited_time",
    "last_edited_by",
    "button",
    "location",
    "place",
    "verification",
    "last_visited_time",
}
ALL_TYPES = SIMPLE_TYPES | {
    "number",
    "select",
    "multi_select",
    "status",
    "relation",
    "rollup",
    "formula",
    "unique_id",
}
_STATUS_DEFAULTS = (
    ("Not started", "default"),
    ("In progress", "blue"),
    ("Done", "green"),
)


def find_property(source: DataSource, key: str) -> PropSchema | None:
    """The property named ``key``, or with id ``key`` (decoded or encoded)."""
    for prop in source.properties.values():
        if prop.name == key:
            return prop
    if key in source.properties:
        return source.properties[key]
    from urllib.parse import unquote

    return source.properties.get(unquote(key))


def title_property(source: DataSource) -> PropSchema:
    """The title property (its id is always ``title``)."""
    return source.properties["title"]


def config_type(raw: dict[str, Any], path: str) -> str:
    """The property type of a request config (explicit ``type`` or its type key)."""
    declared = raw.get("type")
    if isinstance(declared, str):
        if declared not in ALL_TYPES:
            raise body_failed(f"{path}.type", "should be a valid property type")
        return declared
    keys = [key for key in raw if key in ALL_TYPES]
    if len(keys) != 1:
        raise body_failed(path, "should have exactly one property type key")
    return keys[0]


def _option(rng_store: Store, raw: Any, path: str) -> dict[str, Any]:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise body_failed(f"{path}.name", "should be a string")
    name = raw["name"]
    check_option_name(name)
    return {
        "id": str(raw.get("id") or new_uuid(rng_store.rng)),
        "name": name,
        "color": str(raw.get("color") or "default"),
        "description": raw.get("description"),
    }


def check_option_name(name: str) -> None:
    """Option names may not contain commas (Notion refuses them)."""
    if "," in name:
        raise validation("Invalid select option, commas not allowed")


def _options(store: Store, raw: Any, path: str) -> list[dict[str, Any]]:
    entries = raw.get("options", []) if isinstance(raw, dict) else []
    if not isinstance(entries, list):
        raise body_failed(f"{path}.options", "should be an array")
    return [
        _option(store, entry, f"{path}.options[{i}]") for i, entry in enumerate(entries)
    ]


def _status_config(store: Store, raw: Any, path: str) -> dict[str, Any]:
    options = _options(store, raw, path)
    if not options:
        options = [
            {"id": new_uuid(store.rng), "name": n, "color": c, "description": None}
            for n, c in _STATUS_DEFAULTS
        ]
        groups = [
            ("To-do", "gray", [options[0]["id"]]),
            ("In progress", "blue", [options[1]["id"]]),
            ("Complete", "green", [options[2]["id"]]),
        ]
    else:
        groups = [
            ("To-do", "gray", [o["id"] for o in options]),
            ("In progress", "blue", []),
            ("Complete", "green", []),
        ]
    return {
        "options": options,
        "groups": [
            {"id": new_uuid(store.rng), "name": n, "color": c, "option_ids": ids}
            for n, c, ids in groups
        ],
    }


def build_config(
    store: Store, caller: Caller, source: DataSource, kind: str, raw: Any, path: str
) -> dict[str, Any]:
    """The stored configuration of a new (or retyped) property."""
    body = raw if isinstance(raw, dict) else {}
    if kind == "number":
        return {"format": str(body.get("format") or "number")}
    if kind in ("select", "multi_select"):
        return {"options": _options(store, body, f"{path}.{kind}")}
    if kind == "status":
        return _status_config(store, body, f"{path}.status")
    if kind == "relation":
        return _relation_config(store, caller, body, f"{path}.relation")
    if kind == "rollup":
        return _rollup_config(source, body, f"{path}.rollup")
    if kind == "formula":
        return {"expression": str(body.get("expression") or "")}
    if kind == "unique_id":
        return {"prefix": body.get("prefix")}
    return {}


def _relation_config(
    store: Store, caller: Caller, body: dict[str, Any], path: str
) -> dict[str, Any]:
    target = body.get("data_source_id")
    if not isinstance(target, str):
        raise body_failed(
            f"{path}.data_source_id", "should be defined, instead was `undefined`"
        )
    source = store.data_source(caller, target)
    kind = body.get("type") or ("dual_property" if "dual_property" in body else None)
    kind = kind or "single_property"
    if kind not in ("single_property", "dual_property"):
        raise body_failed(
            f"{path}.type", "should be `single_property` or `dual_property`"
        )
    return {"data_source_id": source.id, "type": kind, "synced_property_id": None}


def _rollup_config(
    source: DataSource, body: dict[str, Any], path: str
) -> dict[str, Any]:
    relation = _resolve_ref(
        source, body.get("relation_property_id") or body.get("relation_property_name")
    )
    if relation is None or relation.type != "relation":
        raise validation(f"{path}: relation property not found.")
    return {
        "relation_property_id": relation.id,
        "rollup_property_key": body.get("rollup_property_id")
        or body.get("rollup_property_name"),
        "function": str(body.get("function") or "count"),
    }


def _resolve_ref(source: DataSource, key: Any) -> PropSchema | None:
    return find_property(source, key) if isinstance(key, str) else None


def add_property(
    store: Store, caller: Caller, source: DataSource, name: str, raw: Any, path: str
) -> PropSchema:
    """Create property ``name`` on ``source`` from a request config."""
    if not isinstance(raw, dict):
        raise body_failed(path, "should be an object")
    kind = config_type(raw, path)
    taken = set(source.properties)
    if kind == "title":
        prop_id = "title"
    else:
        prop_id = new_property_id(store.rng, taken)
    config = build_config(store, caller, source, kind, raw.get(kind), path)
    prop = PropSchema(prop_id, name, kind, config, raw.get("description"))
    prop.api_created = caller.kind == "integration"
    source.properties[prop_id] = prop
    if kind == "relation" and config["type"] == "dual_property":
        _create_back_relation(store, source, prop)
    if kind == "unique_id":
        _number_existing(store, source, prop)
    source.schema_version += 1
    return prop


def _create_back_relation(store: Store, source: DataSource, prop: PropSchema) -> None:
    target = store.data_sources[prop.config["data_source_id"]]
    from notion_crm.emulator.richtext import plain

    name = f"Related to {plain(source.title)} ({prop.name})"
    back_id = new_property_id(store.rng, set(target.properties))
    back = PropSchema(
        back_id,
        _unique_name(target, name),
        "relation",
        {
            "data_source_id": source.id,
            "type": "dual_property",
            "synced_property_id": prop.id,
        },
    )
    target.properties[back_id] = back
    prop.config["synced_property_id"] = back_id
    target.schema_version += 1


def _unique_name(source: DataSource, name: str) -> str:
    names = {p.name for p in source.properties.values()}
    candidate, n = name, 1
    while candidate in names:
        n += 1
        candidate = f"{name} {n}"
    return candidate


def _number_existing(store: Store, source: DataSource, prop: PropSchema) -> None:
    counter = 0
    for page_id in source.page_ids:
        counter += 1
        store.pages[page_id].props[prop.id] = counter
        store.pages[page_id].version += 1
    source.next_unique[prop.id] = counter


def update_properties(
    store: Store, caller: Caller, source: DataSource, raw: Any
) -> None:
    """Apply a ``properties`` object of ``data_sources.update``."""
    if not isinstance(raw, dict):
        raise body_failed("body.properties", "should be an object")
    for key, change in raw.items():
        path = f"body.properties.{key}"
        prop = find_property(source, key)
        if change is None:
            if prop is not None:
                _delete_property(store, source, prop)
            continue
        if not isinstance(change, dict):
            raise body_failed(path, "should be an object or `null`")
        if prop is None:
            name = change.get("name") if isinstance(change.get("name"), str) else key
            add_property(store, caller, source, str(name), change, path)
            continue
        _change_property(store, caller, source, prop, change, path)
    source.schema_version += 1


def _change_property(
    store: Store,
    caller: Caller,
    source: DataSource,
    prop: PropSchema,
    change: dict[str, Any],
    path: str,
) -> None:
    new_name = change.get("name")
    if isinstance(new_name, str) and new_name != prop.name:
        prop.name = new_name
    if "description" in change:
        prop.description = change.get("description")
    keys = [k for k in change if k in ALL_TYPES]
    declared = change.get("type")
    kind = declared if isinstance(declared, str) else (keys[0] if keys else None)
    if kind is None:
        return
    if kind != prop.type:
        if prop.type == "title":
            raise validation("Cannot change the type of the title property.")
        _retype(store, caller, source, prop, kind, change.get(kind), path)
        return
    if kind in ("select", "multi_select", "status") and isinstance(
        change.get(kind), dict
    ):
        _replace_options(store, prop, change[kind], f"{path}.{kind}")
    elif kind == "number" and isinstance(change.get("number"), dict):
        prop.config["format"] = str(change["number"].get("format") or "number")
    elif kind == "relation" and isinstance(change.get("relation"), dict):
        _reconfigure_relation(store, caller, source, prop, change["relation"], path)


def _reconfigure_relation(
    store: Store,
    caller: Caller,
    source: DataSource,
    prop: PropSchema,
    raw: dict[str, Any],
    path: str,
) -> None:
    """A one-way relation made two-way gets a new back side, as on creation."""
    config = build_config(store, caller, source, "relation", raw, f"{path}.relation")
    was_dual = prop.config["type"] == "dual_property"
    if was_dual or config["type"] != "dual_property":
        return
    prop.config = config
    _create_back_relation(store, source, prop)
    source.schema_version += 1


def _retype(
    store: Store,
    caller: Caller,
    source: DataSource,
    prop: PropSchema,
    kind: str,
    raw: Any,
    path: str,
) -> None:
    prop.type = kind
    prop.config = build_config(store, caller, source, kind, raw, path)
    for page_id in source.page_ids:
        page = store.pages[page_id]
        if page.props.pop(prop.id, None) is not None:
            page.version += 1
    if kind == "relation" and prop.config["type"] == "dual_property":
        _create_back_relation(store, source, prop)


def _replace_options(
    store: Store, prop: PropSchema, raw: dict[str, Any], path: str
) -> None:
    if "options" not in raw:
        return
    current = prop.config.get("options", [])
    by_id = {o["id"]: o for o in current}
    by_name = {o["name"]: o for o in current}
    entries = raw["options"] if isinstance(raw["options"], list) else []
    result: list[dict[str, Any]] = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise body_failed(f"{path}.options[{index}]", "should be an object")
        old = by_id.get(str(entry.get("id"))) or by_name.get(str(entry.get("name")))
        if old is None:
            result.append(_option(store, entry, f"{path}.options[{index}]"))
            continue
        name = entry.get("name", old["name"])
        check_option_name(str(name))
        color = entry.get("color") or old["color"]
        description = entry.get("description", old.get("description"))
        result.append(
            {"id": old["id"], "name": name, "color": color, "description": description}
        )
    prop.config["options"] = result
    if prop.type == "status":
        kept = {o["id"] for o in result}
        known = {i for g in prop.config.get("groups", []) for i in g["option_ids"]}
        for group in prop.config.get("groups", []):
            group["option_ids"] = [i for i in group["option_ids"] if i in kept]
        prop.config["groups"][0]["option_ids"] += [
            o["id"] for o in result if o["id"] not in known
        ]


def _delete_property(store: Store, source: DataSource, prop: PropSchema) -> None:
    if prop.type == "title":
        raise validation("Cannot delete the title property.")
    del source.properties[prop.id]
    for page_id in source.page_ids:
        page = store.pages[page_id]
        if page.props.pop(prop.id, None) is not None:
            page.version += 1
    if prop.type == "relation" and prop.config.get("synced_property_id"):
        target = store.data_sources.get(prop.config["data_source_id"])
        back = (
            target.properties.get(prop.config["synced_property_id"]) if target else None
        )
        if target is not None and back is not None:
            back.config["type"] = "single_property"
            back.config["synced_property_id"] = None
            target.schema_version += 1


def serialize_property(store: Store, prop: PropSchema) -> dict[str, Any]:
    """One property config as Notion shows it in a data source."""
    out: dict[str, Any] = {
        "id": encode_property_id(prop.id),
        "name": prop.name,
        "description": prop.description,
        "type": prop.type,
    }
    out[prop.type] = _shown_config(store, prop)
    return out


def _shown_config(store: Store, prop: PropSchema) -> dict[str, Any]:
    config = prop.config
    if prop.type == "relation":
        target = store.data_sources.get(config["data_source_id"])
        shown: dict[str, Any] = {
            "database_id": target.database_id if target else None,
            "data_source_id": config["data_source_id"],
            "type": config["type"],
        }
        if config["type"] == "dual_property":
            synced = config.get("synced_property_id") or ""
            back = target.properties.get(synced) if target else None
            shown["dual_property"] = {
                "synced_property_id": encode_property_id(synced),
                "synced_property_name": back.name if back else None,
            }
        else:
            shown["single_property"] = {}
        return shown
    if prop.type == "rollup":
        return _shown_rollup(store, prop)
    if prop.type in ("select", "multi_select", "status"):
        return {
            **config,
            "options": [
                {k: o[k] for k in ("id", "name", "color", "description")}
                for o in config.get("options", [])
            ],
        }
    return dict(config)


def _shown_rollup(store: Store, prop: PropSchema) -> dict[str, Any]:
    relation_id = prop.config["relation_property_id"]
    relation = None
    for source in store.data_sources.values():
        if prop.id in source.properties and source.properties[prop.id] is prop:
            relation = source.properties.get(relation_id)
    target = None
    if relation is not None:
        target = store.data_sources.get(relation.config.get("data_source_id", ""))
    key = prop.config.get("rollup_property_key")
    rolled = find_property(target, key) if target and isinstance(key, str) else None
    return {
        "relation_property_name": relation.name if relation else None,
        "relation_property_id": encode_property_id(relation_id),
        "rollup_property_name": rolled.name if rolled else key,
        "rollup_property_id": encode_property_id(rolled.id) if rolled else key,
        "function": prop.config["function"],
    }


def serialize_schema(store: Store, source: DataSource) -> dict[str, Any]:
    """The ``properties`` object of a data source, keyed by name."""
    return {p.name: serialize_property(store, p) for p in source.properties.values()}
