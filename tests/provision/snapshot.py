"""A workspace described without ids or timestamps, to compare two builds."""

from __future__ import annotations

from typing import Any

from notion_client import Client

Json = dict[str, Any]


def workspace(person: Client, root_page_id: str) -> Json:
    """Everything under the root page, as nested names, types and texts."""
    return {"children": _children(person, root_page_id)}


def _children(person: Client, block_id: str) -> list[Json]:
    found = []
    cursor = None
    while True:
        page = (
            person.blocks.children.list(block_id, start_cursor=cursor)
            if cursor
            else (person.blocks.children.list(block_id))
        )
        for block in page["results"]:
            if block.get("in_trash"):
                continue
            found.append(_block(person, block))
        if not page["has_more"]:
            return found
        cursor = page["next_cursor"]


def _block(person: Client, block: Json) -> Json:
    kind = block["type"]
    content = block[kind]
    shown: Json = {"type": kind}
    if "rich_text" in content:
        shown["text"] = "".join(t["plain_text"] for t in content["rich_text"])
    if kind == "child_page":
        shown["title"] = content["title"]
    if kind == "child_database":
        shown["database"] = _database(person, block["id"])
    if kind == "link_to_page":
        shown["link"] = _title_of(person, content)
    if block.get("has_children") and kind not in ("child_database",):
        shown["children"] = _children(person, block["id"])
    return shown


def _title_of(person: Client, link: Json) -> str:
    if link.get("type") == "database_id":
        database = person.databases.retrieve(link["database_id"])
        return "".join(t["plain_text"] for t in database["title"])
    return "page"


def _database(person: Client, database_id: str) -> Json:
    database = person.databases.retrieve(database_id)
    sources = []
    for ref in database["data_sources"]:
        source = person.data_sources.retrieve(ref["id"])
        sources.append(
            {
                name: _property(prop)
                for name, prop in sorted(source["properties"].items())
            }
        )
    refs = person.views.list(database_id=database_id)["results"]
    views = []
    for ref in refs:
        view = person.views.retrieve(ref["id"])
        views.append(
            (
                view["name"],
                view["type"],
                _strip_ids(view.get("filter")),
                _strip_ids(view.get("sorts")),
            )
        )
    return {
        "title": "".join(t["plain_text"] for t in database["title"]),
        "description": "".join(t["plain_text"] for t in database["description"]),
        "sources": sources,
        "views": sorted(views, key=repr),
    }


def _property(prop: Json) -> Json:
    kind = prop["type"]
    shown: Json = {"type": kind}
    config = prop.get(kind) or {}
    if kind == "select":
        shown["options"] = [(o["name"], o["color"]) for o in config.get("options", [])]
    if kind == "number":
        shown["format"] = config.get("format")
    if kind == "relation":
        shown["pair"] = (config.get("dual_property") or {}).get("synced_property_name")
    return shown


def _strip_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_ids(v) for k, v in value.items() if k != "property"}
    if isinstance(value, list):
        return [_strip_ids(v) for v in value]
    return value


def count_objects(shape: Json) -> dict[str, int]:
    """How many pages, databases and callouts the shape holds (for duplicates)."""
    counts = {"child_page": 0, "child_database": 0, "callout": 0, "column_list": 0}

    def walk(nodes: list[Json]) -> None:
        for node in nodes:
            if node["type"] in counts:
                counts[node["type"]] += 1
            walk(node.get("children", []))

    walk(shape["children"])
    return counts
