"""Formulas and rollups, computed when a page is shown.

Formulas understand a small language: ``prop("Name")``, numbers, strings in double
quotes, ``+ - * /`` and parentheses. Rollups follow Notion: in page objects they are
computed over the first 25 related pages only.
"""

from __future__ import annotations

import re
import statistics
from typing import Any

from notion_crm.emulator.model import DataSource, Page, PropSchema
from notion_crm.emulator.store import Store

_TOKEN = re.compile(
    r'\s*(?:(?P<prop>prop\("(?P<name>[^"]*)"\))|(?P<num>\d+(?:\.\d+)?)'
    r'|"(?P<str>[^"]*)"|(?P<op>[-+*/()]))'
)
PAGE_CUT = 25


def _plain_value(store: Store, source: DataSource, prop: PropSchema, page: Page) -> Any:
    value = page.props.get(prop.id)
    if prop.type in ("title", "rich_text"):
        return "".join(i.get("plain_text", "") for i in value or [])
    if prop.type in ("select", "status"):
        names = {o["id"]: o["name"] for o in prop.config.get("options", [])}
        return names.get(value, "")
    if prop.type == "date":
        return value["start"] if value else ""
    if prop.type == "checkbox":
        return bool(value)
    if prop.type == "formula":
        return _evaluate(store, source, prop.config.get("expression", ""), page)
    return value


def _evaluate(store: Store, source: DataSource, expression: str, page: Page) -> Any:
    tokens = [m for m in _TOKEN.finditer(expression) if m.group(0).strip()]
    position = 0

    def atom() -> Any:
        nonlocal position
        if position >= len(tokens):
            return None
        token = tokens[position]
        position += 1
        if token.group("prop"):
            from notion_crm.emulator.schema import find_property

            prop = find_property(source, token.group("name"))
            return _plain_value(store, source, prop, page) if prop else None
        if token.group("num"):
            return float(token.group("num"))
        if token.group("str") is not None:
            return token.group("str")
        if token.group("op") == "(":
            value = expr()
            position += 1
            return value
        if token.group("op") == "-":
            inner = atom()
            return -inner if isinstance(inner, int | float) else None
        return None

    def term() -> Any:
        nonlocal position
        value = atom()
        while position < len(tokens) and tokens[position].group("op") in ("*", "/"):
            op = tokens[position].group("op")
            position += 1
            right = atom()
            value = _arith(value, right, op)
        return value

    def expr() -> Any:
        nonlocal position
        value = term()
        while position < len(tokens) and tokens[position].group("op") in ("+", "-"):
            op = tokens[position].group("op")
            position += 1
            right = term()
            value = _arith(value, right, op)
        return value

    return expr()


def _arith(left: Any, right: Any, op: str) -> Any:
    if op == "+" and (isinstance(left, str) or isinstance(right, str)):
        return f"{'' if left is None else left}{'' if right is None else right}"
    if not isinstance(left, int | float) or not isinstance(right, int | float):
        return None
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    return left / right if right else None


def formula_value(
    store: Store, source: DataSource | None, prop: PropSchema, page: Page
) -> dict[str, Any]:
    """``{"type": "number"|"string"|"boolean", <type>: value}``."""
    if source is None:
        return {"type": "string", "string": None}
    value = _evaluate(store, source, prop.config.get("expression", ""), page)
    if isinstance(value, bool):
        return {"type": "boolean", "boolean": value}
    if isinstance(value, int | float):
        number = int(value) if float(value).is_integer() else value
        return {"type": "number", "number": number}
    return {"type": "string", "string": value}


def related_values(
    store: Store, source: DataSource, prop: PropSchema, page: Page, cut: bool
) -> tuple[list[Any], PropSchema | None, DataSource | None]:
    """The rolled-up property's plain values over the related pages."""
    relation = source.properties.get(prop.config.get("relation_property_id", ""))
    if relation is None or relation.type != "relation":
        return [], None, None
    target = store.data_sources.get(relation.config["data_source_id"])
    if target is None:
        return [], None, None
    from notion_crm.emulator.schema import find_property

    key = prop.config.get("rollup_property_key")
    rolled = find_property(target, key) if isinstance(key, str) else None
    ids = list(page.props.get(relation.id) or [])
    if cut:
        ids = ids[:PAGE_CUT]
    pages = [store.pages[i] for i in ids if i in store.pages]
    if rolled is None:
        return [None for _ in pages], None, target
    return [_plain_value(store, target, rolled, p) for p in pages], rolled, target


def rollup_value(
    store: Store, source: DataSource | None, prop: PropSchema, page: Page, cut: bool
) -> dict[str, Any]:
    """The rollup as Notion shows it, computed over at most 25 pages when ``cut``."""
    function = str(prop.config.get("function", "count"))
    if source is None:
        return {"type": "number", "number": None, "function": function}
    values, _, _ = related_values(store, source, prop, page, cut)
    return aggregate(function, values)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value is False


def aggregate(function: str, values: list[Any]) -> dict[str, Any]:
    """Apply a rollup function to plain values."""
    numbers = [
        v for v in values if isinstance(v, int | float) and not isinstance(v, bool)
    ]
    filled = [v for v in values if not _empty(v)]
    total = len(values)
    counts: dict[str, float | int | None] = {
        "count": total,
        "count_all": total,
        "count_values": len(filled),
        "not_empty": len(filled),
        "empty": total - len(filled),
        "unique": len({repr(v) for v in filled}),
        "percent_empty": (total - len(filled)) / total if total else 0,
        "percent_not_empty": len(filled) / total if total else 0,
        "checked": sum(1 for v in values if v is True),
        "unchecked": sum(1 for v in values if v is not True),
        "percent_checked": sum(1 for v in values if v is True) / total if total else 0,
        "percent_unchecked": sum(1 for v in values if v is not True) / total
        if total
        else 0,
        "sum": sum(numbers),
        "average": statistics.fmean(numbers) if numbers else None,
        "median": statistics.median(numbers) if numbers else None,
        "min": min(numbers) if numbers else None,
        "max": max(numbers) if numbers else None,
        "range": (max(numbers) - min(numbers)) if numbers else None,
    }
    if function in counts:
        return {"type": "number", "number": counts[function], "function": function}
    if function in ("earliest_date", "latest_date", "date_range"):
        dates = sorted(str(v) for v in filled)
        if not dates:
            return {"type": "date", "date": None, "function": function}
        start = dates[0] if function != "latest_date" else dates[-1]
        end = dates[-1] if function == "date_range" else None
        return {
            "type": "date",
            "date": {"start": start, "end": end, "time_zone": None},
            "function": function,
        }
    return {
        "type": "array",
        "array": [_array_item(v) for v in values],
        "function": function,
    }


def _array_item(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"type": "checkbox", "checkbox": value}
    if isinstance(value, int | float):
        return {"type": "number", "number": value}
    return {
        "type": "rich_text",
        "rich_text": []
        if not value
        else [
            {
                "type": "text",
                "text": {"content": str(value), "link": None},
                "plain_text": str(value),
                "href": None,
            }
        ],
    }
