"""Paginated reads, guarded against the cursor trouble seen in the field.

notion-client's ``iterate_paginated_api`` loops for ever on a repeated cursor, so
the gateway pages by itself:

- a ``next_cursor`` already used raises :class:`~notion_crm.errors.PaginationError`
  (F8), and so does ``has_more`` without a cursor;
- a 400 naming ``start_cursor`` in the middle of a read restarts the read from the
  beginning, at most :data:`MAX_RESTARTS` times (F9);
- a query cut at Notion's 10,000-result cap (``request_status.incomplete``, F10)
  goes on in windows of ``created_time``, or fails: a partial read never passes
  for a complete one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from notion_crm.clock import parse_instant
from notion_crm.errors import (
    ConfigError,
    InvalidRequestError,
    NotionError,
    PaginationError,
)
from notion_crm.notion.redact import protect

logger = protect(logging.getLogger(__name__))

PAGE_SIZE = 100
"""Largest page Notion serves; every list request asks for it."""

MAX_RESTARTS = 3
"""Restarts allowed after invalid cursors, per paginated read."""

CREATED_ASCENDING: dict[str, str] = {
    "timestamp": "created_time",
    "direction": "ascending",
}
"""The sort that makes created_time windows possible."""

HINT_PAGINATION = (
    "Nothing was written from this partial read; the next cycle reads again. If it "
    "keeps happening, run `notion-crm sync --once --full` and report the request ids."
)

Fetch = Callable[[str | None], dict[str, Any]]
"""Fetches one page of a list: takes the cursor (``None`` first), returns the JSON."""


@dataclass(slots=True)
class ListRead:
    """Everything one complete paginated read returned."""

    results: list[dict[str, Any]]
    request_status: dict[str, Any] | None
    restarts: int

    @property
    def incomplete(self) -> bool:
        """Whether Notion cut the result short (the 10,000-result cap)."""
        status = self.request_status or {}
        return status.get("type") == "incomplete"


def read_all(
    fetch: Fetch, *, method: str, path: str, max_restarts: int = MAX_RESTARTS
) -> ListRead:
    """Read every page of a list, restarting after an invalid cursor."""
    restarts = 0
    while True:
        try:
            results, status = _read_once(fetch, method=method, path=path)
        except _InvalidCursor as bad:
            if restarts >= max_restarts:
                raise PaginationError(
                    f"{method} {path}: the cursor became invalid {restarts + 1} "
                    f"times during one read; gave up after {restarts} restarts.",
                    hint=HINT_PAGINATION,
                    status=bad.error.status,
                    code=bad.error.code,
                    method=method,
                    path=path,
                    request_id=bad.error.request_id,
                ) from bad.error
            restarts += 1
            logger.warning(
                "%s %s: cursor became invalid mid-read; restarting (%d of %d)",
                method,
                path,
                restarts,
                max_restarts,
            )
            continue
        return ListRead(results=results, request_status=status, restarts=restarts)


class _InvalidCursor(Exception):
    def __init__(self, error: InvalidRequestError) -> None:
        super().__init__(error.message)
        self.error = error


def _read_once(
    fetch: Fetch, *, method: str, path: str
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    results: list[dict[str, Any]] = []
    used: set[str] = set()
    cursor: str | None = None
    while True:
        try:
            page = fetch(cursor)
        except InvalidRequestError as exc:
            if cursor is not None and is_invalid_cursor(exc):
                raise _InvalidCursor(exc) from exc
            raise
        results.extend(_results_of(page, method=method, path=path))
        if not page.get("has_more"):
            status = page.get("request_status")
            return results, status if isinstance(status, dict) else None
        following = page.get("next_cursor")
        if not isinstance(following, str) or not following:
            raise _pagination_error(
                method, path, "Notion said has_more but gave no next_cursor."
            )
        if following in used or following == cursor:
            raise _pagination_error(
                method,
                path,
                f"Notion returned cursor {following!r} a second time; stopped "
                "instead of reading the same pages for ever.",
            )
        if cursor is not None:
            used.add(cursor)
        used.add(following)
        cursor = following


def is_invalid_cursor(error: NotionError) -> bool:
    """Whether a 400 means the ``start_cursor`` sent is no longer valid."""
    return error.status == 400 and "start_cursor" in error.message


def read_windows(
    read_window: Callable[[dict[str, Any] | None, int], ListRead],
    *,
    base_filter: dict[str, Any] | None,
    windowed: bool,
    method: str,
    path: str,
) -> tuple[dict[str, dict[str, Any]], int, int]:
    """Run a query, continuing in created_time windows past the 10,000 cap.

    ``read_window(filter, restarts_left)`` reads one query completely. Returns the
    pages by id (the last copy seen wins), the number of windows and of restarts.
    Without ``windowed``, an incomplete answer raises PaginationError.
    """
    pages: dict[str, dict[str, Any]] = {}
    windows = restarts = 0
    current = base_filter
    previous_edge: str | None = None
    while True:
        read = read_window(current, MAX_RESTARTS - restarts)
        windows += 1
        restarts += read.restarts
        fresh = _merge(pages, read.results)
        if not read.incomplete:
            return pages, windows, restarts
        if not windowed:
            raise _pagination_error(
                method,
                path,
                "Notion stopped at its 10,000-result cap and windowing is off; "
                "a partial read never produces a KPI.",
            )
        edge = latest_created_time(read.results)
        if edge is None or (edge == previous_edge and fresh == 0):
            raise _pagination_error(
                method,
                path,
                "Notion stopped at its 10,000-result cap and the next created_time "
                f"window made no progress (edge {edge!r}).",
            )
        logger.info(
            "%s %s: result cap reached; continuing from created_time %s",
            method,
            path,
            edge,
        )
        previous_edge = edge
        current = created_on_or_after(base_filter, edge)


def created_on_or_after(filter_: dict[str, Any] | None, instant: str) -> dict[str, Any]:
    """``filter_`` AND ``created_time >= instant``, within Notion's two levels.

    An ``and`` gets the condition appended; an ``or`` is distributed over its
    branches, ``(A or (B and C)) and T`` becoming ``(A and T) or (B and C and T)``,
    so the depth never grows.
    """
    window = {"timestamp": "created_time", "created_time": {"on_or_after": instant}}
    if filter_ is None:
        return window
    if _depth(filter_) > 2:
        raise InvalidRequestError(
            "A query filter nests and/or more than two levels deep, so it cannot "
            "be narrowed to a created_time window.",
            hint="Notion accepts at most two levels; flatten the filter.",
        )
    if "and" in filter_:
        return {"and": [*filter_["and"], window]}
    if "or" in filter_:
        return {"or": [_and_with(branch, window) for branch in _or_branches(filter_)]}
    return {"and": [filter_, window]}


def latest_created_time(results: list[dict[str, Any]]) -> str | None:
    """The latest ``created_time`` among ``results``, as Notion wrote it."""
    best: tuple[datetime, str] | None = None
    for item in results:
        text = item.get("created_time")
        if not isinstance(text, str):
            continue
        try:
            instant = parse_instant(text)
        except ConfigError:
            continue
        if best is None or instant > best[0]:
            best = (instant, text)
    return best[1] if best else None


def sorted_by_created_ascending(sorts: list[dict[str, Any]] | None) -> bool:
    """Whether the first sort key is created_time ascending."""
    return bool(sorts) and sorts is not None and sorts[0] == CREATED_ASCENDING


def _merge(pages: dict[str, dict[str, Any]], results: list[dict[str, Any]]) -> int:
    fresh = 0
    for item in results:
        key = item.get("id")
        if not isinstance(key, str):
            continue
        if key not in pages:
            fresh += 1
        pages[key] = item
    return fresh


def _or_branches(filter_: dict[str, Any]) -> list[dict[str, Any]]:
    branches: list[dict[str, Any]] = []
    for branch in filter_["or"]:
        if isinstance(branch, dict) and "or" in branch:
            branches.extend(branch["or"])
        else:
            branches.append(branch)
    return branches


def _and_with(branch: dict[str, Any], window: dict[str, Any]) -> dict[str, Any]:
    if "and" in branch:
        return {"and": [*branch["and"], window]}
    return {"and": [branch, window]}


def _depth(filter_: object) -> int:
    if not isinstance(filter_, dict):
        return 0
    children = filter_.get("and", filter_.get("or"))
    if not isinstance(children, list):
        return 0
    return 1 + max((_depth(child) for child in children), default=0)


def _results_of(
    page: dict[str, Any], *, method: str, path: str
) -> list[dict[str, Any]]:
    results = page.get("results")
    if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
        raise _pagination_error(method, path, "a list answer had no results array.")
    return results


def _pagination_error(method: str, path: str, reason: str) -> PaginationError:
    return PaginationError(
        f"{method} {path}: {reason}",
        hint=HINT_PAGINATION,
        method=method,
        path=path,
    )
