"""Block JSON for the dashboard page: the only module that knows block shapes."""

from __future__ import annotations

from typing import Any

from notion_crm.notion.properties import plain_text, rich_text

Json = dict[str, Any]


def heading(text: str, level: int = 2) -> Json:
    kind = f"heading_{level}"
    return {"object": "block", "type": kind, kind: {"rich_text": rich_text(text)}}


def paragraph(text: str) -> Json:
    return {
        "object": "block",
        "type": "paragraph",
        "paragraph": {"rich_text": rich_text(text)},
    }


def bullet(text: str) -> Json:
    return {
        "object": "block",
        "type": "bulleted_list_item",
        "bulleted_list_item": {"rich_text": rich_text(text)},
    }


def divider() -> Json:
    return {"object": "block", "type": "divider", "divider": {}}


def link_to_database(database_id: str) -> Json:
    return {
        "object": "block",
        "type": "link_to_page",
        "link_to_page": {"type": "database_id", "database_id": database_id},
    }


def callout(text: str, emoji: str, color: str = "gray_background") -> Json:
    return {
        "object": "block",
        "type": "callout",
        "callout": {
            "rich_text": rich_text(text),
            "icon": {"type": "emoji", "emoji": emoji},
            "color": color,
        },
    }


def callout_update(text: str) -> Json:
    """The PATCH body that changes a callout's text and nothing else."""
    return {"callout": {"rich_text": rich_text(text)}}


def paragraph_update(text: str) -> Json:
    return {"paragraph": {"rich_text": rich_text(text)}}


def columns(*children: list[Json]) -> Json:
    """A column list: Notion wants at least two columns, each with a child."""
    return {
        "object": "block",
        "type": "column_list",
        "column_list": {
            "children": [
                {"object": "block", "type": "column", "column": {"children": list(c)}}
                for c in children
            ]
        },
    }


def block_text(block: Json) -> str:
    """The plain text of a text-bearing block (callout, paragraph, heading…)."""
    content = block.get(str(block.get("type")), {})
    if not isinstance(content, dict):
        return ""
    return plain_text(content.get("rich_text"))


def is_trashed(obj: Json) -> bool:
    return bool(obj.get("in_trash") or obj.get("archived"))
