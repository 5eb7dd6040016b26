"""Filters and sorts of data source queries, compiled once into Python callables.

A filter becomes a predicate over pages and a sort list becomes a chain of stable
sorts, so that a query over tens of thousands of rows costs milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from notion_crm.emulator.errors import body_failed, validation
from notion_crm.emulator.ids import parse_instant
from notion_crm.emulator.model import Caller, DataSource, Page, PropSchema
from notion_crm.emulator.schema import find_property
from notion_crm.emulator.store import Store

Predicate = Callable[[Page], bool]
Getter = Callable[[Page], Any]
_TEXT = {"title", "rich_text", "url", "email", "phone_number"}
_LEAF_KEYS = {
    "title",
    "rich_text",
    "url",
    "email",
    "phone_number",
    "number",
    "checkbox",
    "select",
    "status",
    "multi_select",
    "date",
    "people",
    "relation",
    "files",
    "formula",
    "rollup",
    "unique_id",
    "created_time",
    "last_edited_time",
    "created_by",
    "last_edited_by",
}
_TIMESTAMPS = ("created_time", "last_edited_time")


class Compiler:
    """Compiles one request's filter and sorts against one data source."""

    def __init__(self, store: Store, source: DataSource, caller: Caller, now: datetime):
        self.store = store
        self.source = source
        self.caller = caller
        self.now = now

    # ---- values ------------------------------------------------------------------

    def getter(self, prop: PropSchema) -> Getter:
        """A function giving the comparable plain value of ``prop`` on a page."""
        pid, kind = prop.id, prop.type
        if kind in ("title", "rich_text"):
            return lambda p: "".join(i["plain_text"] for i in p.props.get(pid) or ())
        if kind in ("select", "status"):
            names = {o["id"]: o["name"] for o in prop.config.get("options", [])}
            return lambda p: names.get(p.props.get(pid))
        if kind == "multi_select":
            names = {o["id"]: o["name"] for o in prop.config.get("options", [])}
            return lambda p: [names[i] for i in p.props.get(pid) or () if i in names]
        if kind == "date":
            return lambda p: _date_start(p.props.get(pid))
        if kind == "checkbox":
            return lambda p: bool(p.props.get(pid))
        if kind == "created_time":
            return lambda p: p.created_time
        if kind == "last_edited_time":
            return lambda p: p.last_edited_time
        if kind == "created_by":
            return lambda p: [p.created_by]
        if kind == "last_edited_by":
            return lambda p: [p.last_edited_by]
        if kind in ("formula", "rollup"):
            return self._computed_getter(prop)
        return lambda p: p.props.get(pid)

    def _computed_getter(self, prop: PropSchema) -> Getter:
        from notion_crm.emulator.values import show_value

        store, source = self.store, self.source

        def get(page: Page) -> Any:
            shown = show_value(store, source, prop, page, cut=True)[prop.type]
            inner = shown.get(shown.get("type"))
            if shown.get("type") == "date":
                return _date_start(inner)
            return inner

        return get

    # ---- filters -----------------------------------------------------------------

    def compile(self, raw: Any, path: str = "body.filter", depth: int = 0) -> Predicate:
        """A predicate for a filter object (compound filters nest at most twice)."""
        if not isinstance(raw, dict):
            raise body_failed(path, "should be an object")
        for op in ("and", "or"):
            if op in raw:
                return self._compound(op, raw[op], f"{path}.{op}", depth)
        if "timestamp" in raw:
            return self._timestamp(raw, path)
        if "property" in raw:
            return self._property(raw, path)
        raise body_failed(path, "should be a property, timestamp or compound filter")

    def _compound(self, op: str, items: Any, path: str, depth: int) -> Predicate:
        if depth >= 2:
            raise body_failed(
                path, "should be not present: compound filters nest at most two levels"
            )
        if not isinstance(items, list):
            raise body_failed(path, "should be an array")
        parts = [
            self.compile(i, f"{path}[{n}]", depth + 1) for n, i in enumerate(items)
        ]
        if op == "and":
            return lambda p: all(f(p) for f in parts)
        return lambda p: any(f(p) for f in parts)

    def _timestamp(self, raw: dict[str, Any], path: str) -> Predicate:
        kind = raw["timestamp"]
        if kind not in _TIMESTAMPS:
            raise body_failed(
                f"{path}.timestamp", "should be `created_time` or `last_edited_time`"
            )
        condition = raw.get(kind)
        get: Getter = (
            (lambda p: p.created_time)
            if kind == "created_time"
            else (lambda p: p.last_edited_time)
        )
        return self._date(get, condition, f"{path}.{kind}")

    def _property(self, raw: dict[str, Any], path: str) -> Predicate:
        key = str(raw["property"])
        prop = find_property(self.source, key)
        if prop is None:
            raise validation(f"Could not find property with name or id: {key}")
        kinds = [k for k in raw if k in _LEAF_KEYS]
        if len(kinds) != 1:
            raise body_failed(path, f"should have a `{prop.type}` condition")
        kind = kinds[0]
        condition = raw[kind]
        sub = f"{path}.{kind}"
        if kind == "formula":
            return self._formula(prop, condition, sub)
        if kind == "rollup":
            return self._rollup(prop, condition, sub)
        return self.leaf(prop.type, self.getter(prop), condition, sub)

    def leaf(self, kind: str, get: Getter, condition: Any, path: str) -> Predicate:
        """A predicate for one type condition on values given by ``get``."""
        if not isinstance(condition, dict) or len(condition) != 1:
            raise body_failed(path, "should have exactly one condition")
        ((op, value),) = condition.items()
        if op in ("is_empty", "is_not_empty") and value is not True:
            raise body_failed(
                f"{path}.{op}", f"should be `true`, instead was `{value}`"
            )
        if kind in _TEXT:
            return _text(get, op, value, path)
        if kind in ("number", "unique_id"):
            return _number(get, op, value, path)
        if kind == "checkbox":
            return _checkbox(get, op, value, path)
        if kind in ("select", "status"):
            return _select(get, op, value, path)
        if kind in (
            "multi_select",
            "people",
            "relation",
            "created_by",
            "last_edited_by",
        ):
            if kind in ("people", "created_by", "last_edited_by") and value == "me":
                value = self.caller.user_id
            return _contains(get, op, value, path)
        if kind == "files":
            return _emptiness(get, op, path)
        if kind in ("date", "created_time", "last_edited_time"):
            return self._date(get, condition, path)
        raise body_failed(path, "is not a supported filter")

    def _formula(self, prop: PropSchema, condition: Any, path: str) -> Predicate:
        if prop.api_created:
            raise validation("Unable to filter based on a formula of unknown type")
        if not isinstance(condition, dict) or len(condition) != 1:
            raise body_failed(path, "should have exactly one formula type")
        ((kind, inner),) = condition.items()
        mapped = {
            "string": "rich_text",
            "checkbox": "checkbox",
            "number": "number",
            "date": "date",
        }.get(kind)
        if mapped is None:
            raise body_failed(f"{path}.{kind}", "is not a formula filter type")
        return self.leaf(mapped, self.getter(prop), inner, f"{path}.{kind}")

    def _rollup(self, prop: PropSchema, condition: Any, path: str) -> Predicate:
        if not isinstance(condition, dict) or len(condition) != 1:
            raise body_failed(path, "should have exactly one rollup condition")
        ((kind, inner),) = condition.items()
        if kind in ("number", "date"):
            return self.leaf(kind, self.getter(prop), inner, f"{path}.{kind}")
        if kind not in ("any", "every", "none") or not isinstance(inner, dict):
            raise body_failed(f"{path}.{kind}", "is not a rollup filter")
        ((sub_kind, sub_condition),) = inner.items()
        check = self.leaf(sub_kind, lambda item: item, sub_condition, f"{path}.{kind}")
        items = self._rollup_items(prop)
        if kind == "any":
            return lambda p: any(check(i) for i in items(p))
        if kind == "every":
            return lambda p: all(check(i) for i in items(p))
        return lambda p: not any(check(i) for i in items(p))

    def _rollup_items(self, prop: PropSchema) -> Callable[[Page], list[Any]]:
        from notion_crm.emulator.computed import related_values

        def items(page: Page) -> list[Any]:
            values, _, _ = related_values(self.store, self.source, prop, page, True)
            return [_ItemPage(v) for v in values]

        return items

    def _date(self, get: Getter, condition: Any, path: str) -> Predicate:
        if not isinstance(condition, dict) or len(condition) != 1:
            raise body_failed(path, "should have exactly one condition")
        ((op, value),) = condition.items()
        if op in ("is_empty", "is_not_empty"):
            return _emptiness(get, op, path)
        window = self._relative_window(op)
        if window is not None:
            low, high = window
            return lambda p: (v := _as_instant(get(p))) is not None and low <= v <= high
        low, high = self._day_bounds(value, path)
        tests: dict[str, Callable[[datetime], bool]] = {
            "equals": lambda v: low <= v < high,
            "before": lambda v: v < low,
            "after": lambda v: v >= high,
            "on_or_before": lambda v: v < high,
            "on_or_after": lambda v: v >= low,
        }
        if op not in tests:
            raise body_failed(f"{path}.{op}", "is not a date condition")
        test = tests[op]
        return lambda p: (v := _as_instant(get(p))) is not None and test(v)

    def _relative_window(self, op: str) -> tuple[datetime, datetime] | None:
        now = self.now.astimezone(UTC)
        spans = {
            "past_week": -7,
            "past_month": -30,
            "past_year": -365,
            "next_week": 7,
            "next_month": 30,
            "next_year": 365,
        }
        if op in spans:
            days = spans[op]
            edge = now + timedelta(days=days)
            return (edge, now) if days < 0 else (now, edge)
        if op == "this_week":
            start = datetime.combine(
                now.date() - timedelta(days=now.weekday()), datetime.min.time(), UTC
            )
            return start, start + timedelta(days=7) - timedelta(microseconds=1)
        return None

    def _day_bounds(self, value: Any, path: str) -> tuple[datetime, datetime]:
        relative = {
            "today": 0,
            "tomorrow": 1,
            "yesterday": -1,
            "one_week_ago": -7,
            "one_week_from_now": 7,
            "one_month_ago": -30,
            "one_month_from_now": 30,
        }
        if isinstance(value, str) and value in relative:
            day = self.now.astimezone(UTC).date() + timedelta(days=relative[value])
            start = datetime.combine(day, datetime.min.time(), UTC)
            return start, start + timedelta(days=1)
        if not isinstance(value, str):
            raise body_failed(path, "should be a valid ISO 8601 date string")
        try:
            moment = parse_instant(value)
        except ValueError as exc:
            raise body_failed(path, "should be a valid ISO 8601 date string") from exc
        if len(value.strip()) == 10:
            return moment, moment + timedelta(days=1)
        return moment, moment + timedelta(milliseconds=1)

    # ---- sorts -------------------------------------------------------------------

    def sort(self, pages: list[Page], sorts: Any) -> list[Page]:
        """``pages`` ordered by ``sorts`` (first key primary; empty values last)."""
        if sorts is None:
            return pages
        if not isinstance(sorts, list):
            raise body_failed("body.sorts", "should be an array")
        keys = [self._sort_key(s, f"body.sorts[{n}]") for n, s in enumerate(sorts)]
        ordered = list(pages)
        for get, descending in reversed(keys):
            filled = [p for p in ordered if not _is_empty(get(p))]
            empty = [p for p in ordered if _is_empty(get(p))]
            filled.sort(key=get, reverse=descending)
            ordered = filled + empty
        return ordered

    def _sort_key(self, raw: Any, path: str) -> tuple[Getter, bool]:
        if not isinstance(raw, dict):
            raise body_failed(path, "should be an object")
        direction = raw.get("direction", "ascending")
        if direction not in ("ascending", "descending"):
            raise body_failed(
                f"{path}.direction", "should be `ascending` or `descending`"
            )
        if "timestamp" in raw:
            kind = raw["timestamp"]
            if kind not in _TIMESTAMPS:
                raise body_failed(f"{path}.timestamp", "should be a timestamp")
            get: Getter = (
                (lambda p: p.created_time)
                if kind == "created_time"
                else (lambda p: p.last_edited_time)
            )
            return get, direction == "descending"
        key = str(raw.get("property"))
        prop = find_property(self.source, key)
        if prop is None:
            raise validation(f"Could not find sort property with name or id: {key}")
        return self._orderable(prop), direction == "descending"

    def _orderable(self, prop: PropSchema) -> Getter:
        base = self.getter(prop)
        if prop.type in ("select", "status", "multi_select"):
            rank = {o["name"]: n for n, o in enumerate(prop.config.get("options", []))}
            if prop.type == "multi_select":
                return lambda p: rank.get(v[0], 0) if (v := base(p)) else None
            return lambda p: rank.get(v, 0) if (v := base(p)) is not None else None
        if prop.type in _TEXT:
            return lambda p: v.casefold() if (v := base(p)) else None
        if prop.type in ("people", "relation", "created_by", "last_edited_by"):
            return lambda p: v[0] if (v := base(p)) else None
        if prop.type in ("date",):
            return lambda p: _as_instant(base(p))
        if prop.type in ("formula", "rollup"):
            return lambda p: v if isinstance(v := base(p), int | float | str) else None
        return base


class _ItemPage:
    """Wraps one rolled-up value so leaf predicates can read it."""

    def __init__(self, value: Any) -> None:
        self.value = value


def _date_start(value: Any) -> Any:
    return value.get("start") if isinstance(value, dict) else value


def _as_instant(value: Any) -> datetime | None:
    if isinstance(value, _ItemPage):
        value = value.value
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    try:
        return parse_instant(str(value))
    except ValueError:
        return None


def _unwrap(value: Any) -> Any:
    return value.value if isinstance(value, _ItemPage) else value


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _emptiness(get: Getter, op: str, path: str) -> Predicate:
    if op == "is_empty":
        return lambda p: _is_empty(_unwrap(get(p)))
    if op == "is_not_empty":
        return lambda p: not _is_empty(_unwrap(get(p)))
    raise body_failed(f"{path}.{op}", "is not a supported condition")


def _text(get: Getter, op: str, value: Any, path: str) -> Predicate:
    if op in ("is_empty", "is_not_empty"):
        return _emptiness(get, op, path)
    if not isinstance(value, str):
        raise body_failed(f"{path}.{op}", "should be a string")
    folded = value.casefold()

    def text(p: Page) -> str:
        return _unwrap(get(p)) or ""

    tests: dict[str, Predicate] = {
        "equals": lambda p: text(p) == value,
        "does_not_equal": lambda p: text(p) != value,
        "contains": lambda p: folded in text(p).casefold(),
        "does_not_contain": lambda p: folded not in text(p).casefold(),
        "starts_with": lambda p: text(p).casefold().startswith(folded),
        "ends_with": lambda p: text(p).casefold().endswith(folded),
    }
    if op not in tests:
        raise body_failed(f"{path}.{op}", "is not a text condition")
    return tests[op]


def _number(get: Getter, op: str, value: Any, path: str) -> Predicate:
    if op in ("is_empty", "is_not_empty"):
        return _emptiness(get, op, path)
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise body_failed(f"{path}.{op}", "should be a number")
    compare: dict[str, Callable[[float], bool]] = {
        "equals": lambda v: v == value,
        "greater_than": lambda v: v > value,
        "less_than": lambda v: v < value,
        "greater_than_or_equal_to": lambda v: v >= value,
        "less_than_or_equal_to": lambda v: v <= value,
    }
    if op == "does_not_equal":
        return lambda p: _unwrap(get(p)) != value
    if op not in compare:
        raise body_failed(f"{path}.{op}", "is not a number condition")
    test = compare[op]

    def check(p: Page) -> bool:
        v = _unwrap(get(p))
        return isinstance(v, int | float) and not isinstance(v, bool) and test(v)

    return check


def _checkbox(get: Getter, op: str, value: Any, path: str) -> Predicate:
    if not isinstance(value, bool) or op not in ("equals", "does_not_equal"):
        raise body_failed(f"{path}.{op}", "should be a boolean")
    if op == "equals":
        return lambda p: bool(_unwrap(get(p))) is value
    return lambda p: bool(_unwrap(get(p))) is not value


def _select(get: Getter, op: str, value: Any, path: str) -> Predicate:
    if op in ("is_empty", "is_not_empty"):
        return _emptiness(get, op, path)
    names = set(value) if isinstance(value, list) else {value}
    if op == "equals":
        return lambda p: _unwrap(get(p)) in names
    if op == "does_not_equal":
        return lambda p: _unwrap(get(p)) not in names
    raise body_failed(f"{path}.{op}", "is not a select condition")


def _contains(get: Getter, op: str, value: Any, path: str) -> Predicate:
    if op in ("is_empty", "is_not_empty"):
        return _emptiness(get, op, path)
    if not isinstance(value, str):
        raise body_failed(f"{path}.{op}", "should be a string")
    from notion_crm.emulator.ids import normalize_id

    wanted = normalize_id(value) or value
    if op == "contains":
        return lambda p: wanted in (_unwrap(get(p)) or ())
    if op == "does_not_contain":
        return lambda p: wanted not in (_unwrap(get(p)) or ())
    raise body_failed(f"{path}.{op}", "is not a supported condition")
