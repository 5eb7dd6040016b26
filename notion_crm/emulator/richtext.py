"""Rich text: request items turned into the full objects Notion returns.

Limits enforced as Notion does: 2,000 characters per text item, 100 items per array,
with ``body failed validation`` messages naming the path.
"""

from __future__ import annotations

from typing import Any

from notion_crm.emulator.errors import body_failed, too_long

MAX_TEXT = 2000
MAX_ITEMS = 100
_ANNOTATIONS = ("bold", "italic", "strikethrough", "underline", "code")


def full_annotations(raw: Any) -> dict[str, Any]:
    """All six annotation flags, defaults filled in."""
    given = raw if isinstance(raw, dict) else {}
    out: dict[str, Any] = {name: bool(given.get(name, False)) for name in _ANNOTATIONS}
    out["color"] = str(given.get("color", "default"))
    return out


def plain(items: list[dict[str, Any]]) -> str:
    """The concatenated plain text of a rich text array."""
    return "".join(str(item.get("plain_text", "")) for item in items)


def from_text(content: str) -> list[dict[str, Any]]:
    """A one-item rich text array for ``content`` (empty string → empty array)."""
    if not content:
        return []
    return [_text_item({"content": content}, None, "")]


def normalize(raw: Any, path: str) -> list[dict[str, Any]]:
    """Validate a request rich text array and return stored full objects."""
    if not isinstance(raw, list):
        raise body_failed(path, "should be an array")
    if len(raw) > MAX_ITEMS:
        raise too_long(f"{path}.length", MAX_ITEMS, len(raw))
    return [_item(entry, f"{path}[{index}]") for index, entry in enumerate(raw)]


def _item(entry: Any, path: str) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise body_failed(path, "should be an object")
    kind = entry.get("type")
    if kind is None:
        kind = next((k for k in ("text", "mention", "equation") if k in entry), None)
    if kind == "text":
        return _text_item(entry.get("text"), entry.get("annotations"), path)
    if kind == "mention":
        return _mention_item(entry.get("mention"), entry.get("annotations"), path)
    if kind == "equation":
        return _equation_item(entry.get("equation"), entry.get("annotations"), path)
    raise body_failed(f"{path}.text", "should be defined, instead was `undefined`")


def _text_item(text: Any, notes: Any, path: str) -> dict[str, Any]:
    if not isinstance(text, dict) or not isinstance(text.get("content"), str):
        raise body_failed(f"{path}.text.content", "should be a string")
    content = text["content"]
    if len(content) > MAX_TEXT:
        raise too_long(f"{path}.text.content.length", MAX_TEXT, len(content))
    link = text.get("link")
    url = link.get("url") if isinstance(link, dict) else None
    return {
        "type": "text",
        "text": {"content": content, "link": {"url": url} if url else None},
        "annotations": full_annotations(notes),
        "plain_text": content,
        "href": url,
    }


def _equation_item(equation: Any, notes: Any, path: str) -> dict[str, Any]:
    if not isinstance(equation, dict) or not isinstance(
        equation.get("expression"), str
    ):
        raise body_failed(f"{path}.equation.expression", "should be a string")
    expression = equation["expression"]
    if len(expression) > 1000:
        raise too_long(f"{path}.equation.expression.length", 1000, len(expression))
    return {
        "type": "equation",
        "equation": {"expression": expression},
        "annotations": full_annotations(notes),
        "plain_text": expression,
        "href": None,
    }


def _mention_item(mention: Any, notes: Any, path: str) -> dict[str, Any]:
    if not isinstance(mention, dict):
        raise body_failed(f"{path}.mention", "should be an object")
    kind = mention.get("type") or next(
        (k for k in ("date", "page", "user", "database") if k in mention), "date"
    )
    inner = mention.get(kind)
    shown = ""
    out: dict[str, Any] = {"type": kind, kind: inner}
    if kind == "date" and isinstance(inner, dict):
        out["date"] = {
            "start": inner.get("start"),
            "end": inner.get("end"),
            "time_zone": inner.get("time_zone"),
        }
        shown = str(inner.get("start") or "")
    elif isinstance(inner, dict) and "id" in inner:
        out[kind] = {"id": inner["id"]}
        shown = "Untitled" if kind in ("page", "database") else "@Anonymous"
    return {
        "type": "mention",
        "mention": out,
        "annotations": full_annotations(notes),
        "plain_text": shown,
        "href": None,
    }
