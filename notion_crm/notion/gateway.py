"""The one gateway through which notion-crm talks to Notion.

Every request of the product goes through :meth:`NotionGateway.request`, which
owns pacing (:mod:`~notion_crm.notion.pacing`), retries
(:mod:`~notion_crm.notion.retry`), the mapping of failures to
:mod:`notion_crm.errors` (:mod:`~notion_crm.notion.errors_map`) and, for lists,
pagination (:mod:`~notion_crm.notion.pagination`). notion-client does the HTTP
work with its own retry switched off; the API version is pinned in
:mod:`~notion_crm.notion.config` and nowhere else.

One gateway serves a whole process (the CLI and the daemon build one); threads
share it through :meth:`NotionGateway.map`. Gateways that must share one pace
can be given the same :class:`~notion_crm.notion.pacing.Pacer`.

The token is held in a :class:`~notion_crm.notion.redact.Secret` and added to each
request by an ``httpx.Auth``, so it never sits in notion-client's options, and it
is scrubbed from every message and log record of this package.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Literal, TypeVar
from urllib.parse import unquote

import httpx
import notion_client
from notion_client.errors import NotionClientErrorBase

from notion_crm.clock import Clock, Sleep, real_sleep, system_clock
from notion_crm.errors import ConfigError, NotionError, RateLimitedError, ServerError
from notion_crm.notion.config import NOTION_VERSION, GatewayConfig
from notion_crm.notion.errors_map import (
    HINT_RATE,
    HINT_SERVER,
    AttemptError,
    Retry,
    parse_http_date,
    translate,
)
from notion_crm.notion.pacing import Pacer
from notion_crm.notion.pagination import (
    CREATED_ASCENDING,
    PAGE_SIZE,
    ListRead,
    read_all,
    read_windows,
    sorted_by_created_ascending,
)
from notion_crm.notion.redact import Secret, protect, register_secret, scrub
from notion_crm.notion.retry import (
    Backoff,
    Kind,
    RetryLoop,
    WaitBudget,
)
from notion_crm.notion.stats import RequestStats
from notion_crm.notion.workers import WorkerPool

__all__ = [
    "NOTION_VERSION",
    "GatewayConfig",
    "NotionGateway",
    "QueryResult",
    "RequestStats",
]

logger = protect(logging.getLogger(__name__))
sdk_logger = protect(logging.getLogger("notion_crm.notion.sdk"))
"""The logger handed to notion-client (it calls ``setLevel`` on it)."""

APPEND_CHUNK = 100
"""Most blocks Notion accepts in one append."""

T = TypeVar("T")
R = TypeVar("R")

FindExisting = Callable[[], dict[str, Any] | None]
"""Looks for the object a create meant to make; ``None`` when it does not exist."""


@dataclass(frozen=True, slots=True)
class QueryResult:
    """A complete data source query.

    ``server_time`` is the ``Date`` of the first response of the query, taken
    before any page was read: the sync engine's next polling cursor.
    """

    results: list[dict[str, Any]]
    """Pages, one per id (the last copy seen wins), in first-seen order."""
    server_time: datetime | None
    windows: int
    """Separate queries issued (more than 1 past the 10,000-result cap)."""
    restarts: int
    """Reads restarted after an invalid cursor."""


class _BearerAuth(httpx.Auth):
    def __init__(self, token: Secret) -> None:
        self._token = token

    def auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token.reveal()}"
        yield request

    def __repr__(self) -> str:
        return "_BearerAuth(***)"


class NotionGateway:
    """Paced, retried, mapped access to the Notion API.

    Thread-safe: :meth:`map` runs work on ``config.workers`` threads that share
    one token bucket, one wait budget and one set of counters.
    """

    def __init__(
        self,
        token: str,
        config: GatewayConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Clock = system_clock,
        sleep: Sleep = real_sleep,
        monotonic: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        pacer: Pacer | None = None,
    ) -> None:
        if not token or not token.strip():
            raise ConfigError(
                "No Notion token.", hint="Set NOTION_TOKEN to the integration's token."
            )
        register_secret(token)
        self._token = Secret(token)
        self.config = config
        self._clock = clock
        self._budget = WaitBudget(config.max_wait_s, monotonic=monotonic)
        self._pacer = pacer or Pacer(
            config.pace_rps, config.pace_burst, sleep=sleep, monotonic=monotonic
        )
        self.stats = RequestStats()
        policy = config.retry_policy()
        self._retry = RetryLoop(
            policy,
            self._budget,
            Backoff(policy, rng or random.Random()),
            sleep=sleep,
            on_rate_limited=self._pacer.pause_for,
            on_retry=self.stats.count_retry,
        )
        self._state_lock = threading.Lock()
        self._last_server_time: datetime | None = None
        self._local = threading.local()
        self._workers = WorkerPool(config.workers)
        self._http = httpx.Client(
            transport=transport,
            auth=_BearerAuth(self._token),
            event_hooks={
                "request": [self._on_request],
                "response": [self._on_response],
            },
        )
        # Built once and never used as a context manager: Client.__enter__ would
        # swap the injected httpx client for a fresh one.
        self._client = notion_client.Client(
            client=self._http,
            base_url=config.base_url.rstrip("/"),
            timeout_ms=int(config.timeout_s * 1000),
            notion_version=config.notion_version,
            retry=False,
            logger=sdk_logger,
            # The retry loop logs every failed attempt once, with what happens
            # next; notion-client's own "request fail" line would repeat it.
            log_level=logging.ERROR,
        )

    def __repr__(self) -> str:
        return f"NotionGateway(base_url={self.config.base_url!r}, token=***)"

    # -- the one way out -----------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        kind: Kind,
        find_existing: FindExisting | None = None,
    ) -> dict[str, Any]:
        """Send one request, paced and retried; return Notion's JSON object.

        ``path`` is relative to ``/v1/`` (a leading ``/v1/`` is accepted). ``kind``
        decides what happens after a failure that may have been applied (5xx,
        timeout, reset): reads, updates and deletes are retried with backoff; a
        ``create`` is never sent twice blindly. It calls ``find_existing`` first:
        an object found is returned as the result; ``None`` lets the create go
        again; without ``find_existing`` it raises ServerError.

        A 409 is retried with backoff and ends in ConflictError: callers then
        re-read the object, recompute and write only what they own.

        Raises the :class:`~notion_crm.errors.NotionError` subclass that fits.
        """
        verb = method.upper()
        sdk_path = _sdk_path(path)
        shown = f"/v1/{sdk_path}"
        look = find_existing if kind == "create" else None
        maybe_applied = last_unclear = False

        def attempt() -> dict[str, Any]:
            nonlocal maybe_applied, last_unclear
            if maybe_applied and look is not None:
                found = look()
                if found is not None:
                    _log_found(verb, shown, found)
                    return found
            try:
                return self._send(verb, sdk_path, shown, query, body)
            except AttemptError as failure:
                last_unclear = failure.maybe_applied
                maybe_applied = maybe_applied or last_unclear
                raise

        try:
            return self._retry.run(
                attempt, kind=kind, label=f"{verb} {shown}", can_look=look is not None
            )
        except NotionError:
            # The last create may have gone through: look once more before
            # reporting a failure that would lead the caller to create again.
            if look is None or not last_unclear:
                raise
            found = _last_look(look, verb, shown)
            if found is None:
                raise
            _log_found(verb, shown, found)
            return found

    # -- typed helpers -------------------------------------------------------

    def me(self) -> dict[str, Any]:
        """The bot user of the token (``GET /v1/users/me``)."""
        return self.request("GET", "users/me", kind="read")

    def retrieve_page(self, page_id: str) -> dict[str, Any]:
        """A page with its properties (relations truncated at 25, see F6)."""
        return self.request("GET", f"pages/{page_id}", kind="read")

    def create_page(
        self, body: dict[str, Any], *, find_existing: FindExisting | None = None
    ) -> dict[str, Any]:
        """Create a page; see :meth:`request` for ``find_existing``."""
        return self.request(
            "POST", "pages", body=body, kind="create", find_existing=find_existing
        )

    def update_page(
        self, page_id: str, body: dict[str, Any], *, owned: bool = False
    ) -> dict[str, Any]:
        """PATCH only the properties in ``body``.

        ``owned=True`` marks values computed from an earlier read: a 409 then
        raises ConflictError at once, for the caller to re-read and recompute.
        """
        kind: Kind = "owned_update" if owned else "update"
        return self.request("PATCH", f"pages/{page_id}", body=body, kind=kind)

    def retrieve_database(self, database_id: str) -> dict[str, Any]:
        """A database: the container, with its ``data_sources`` list."""
        return self.request("GET", f"databases/{database_id}", kind="read")

    def create_database(
        self, body: dict[str, Any], *, find_existing: FindExisting | None = None
    ) -> dict[str, Any]:
        """Create a database; the schema goes in ``initial_data_source``."""
        return self.request(
            "POST", "databases", body=body, kind="create", find_existing=find_existing
        )

    def update_database(self, database_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Update a database's title, description, icon or parent."""
        return self.request(
            "PATCH", f"databases/{database_id}", body=body, kind="update"
        )

    def retrieve_data_source(self, data_source_id: str) -> dict[str, Any]:
        """A data source with its property schema."""
        return self.request("GET", f"data_sources/{data_source_id}", kind="read")

    def update_data_source(
        self, data_source_id: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        """Update a data source (title, properties...)."""
        return self.request(
            "PATCH", f"data_sources/{data_source_id}", body=body, kind="update"
        )

    def query_data_source(
        self,
        data_source_id: str,
        *,
        filter: dict[str, Any] | None = None,
        sorts: list[dict[str, Any]] | None = None,
        filter_properties: list[str] | None = None,
        window_by_created_time: bool = True,
        shrink: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    ) -> QueryResult:
        """Every page of a data source matching ``filter``, past the 10,000 cap.

        With ``window_by_created_time`` and no ``sorts``, the query is sorted by
        created_time ascending, so a result cut at the cap continues with a
        ``created_time on_or_after`` window. Otherwise a cut result raises
        PaginationError. ``filter_properties`` may be ids as Notion returns them
        (URL-encoded); they are decoded once so httpx does not encode them twice.
        ``shrink`` is applied to each page as it arrives, so that a large read holds
        only what the caller keeps of each page.
        """
        if window_by_created_time and not sorts:
            sorts = [dict(CREATED_ASCENDING)]
        windowed = window_by_created_time and sorted_by_created_ascending(sorts)
        sdk_path = f"data_sources/{data_source_id}/query"
        shown = f"/v1/{sdk_path}"
        params: dict[str, Any] | None = None
        if filter_properties:
            params = {"filter_properties": [unquote(p) for p in filter_properties]}

        def read_window(filter_: dict[str, Any] | None, restarts_left: int) -> ListRead:
            def fetch(cursor: str | None) -> dict[str, Any]:
                body: dict[str, Any] = {"page_size": PAGE_SIZE}
                if filter_ is not None:
                    body["filter"] = filter_
                if sorts:
                    body["sorts"] = sorts
                if cursor is not None:
                    body["start_cursor"] = cursor
                answer = self.request(
                    "POST", sdk_path, query=params, body=body, kind="read"
                )
                if shrink is not None and isinstance(answer.get("results"), list):
                    answer["results"] = [shrink(item) for item in answer["results"]]
                return answer

            return read_all(
                fetch, method="POST", path=shown, max_restarts=restarts_left
            )

        with self._capturing_dates() as dates:
            pages, windows, restarts = read_windows(
                read_window,
                base_filter=filter,
                windowed=windowed,
                method="POST",
                path=shown,
            )
        return QueryResult(
            results=list(pages.values()),
            server_time=dates[0] if dates else None,
            windows=windows,
            restarts=restarts,
        )

    def property_items(self, page_id: str, property_id: str) -> list[dict[str, Any]]:
        """Every item of one property (relations past 25, long rich text).

        ``property_id`` goes into the path as Notion returned it (URL-encoded).
        A property that is not paginated comes back as a one-item list.
        """
        return self._read_list("GET", f"pages/{page_id}/properties/{property_id}")

    def list_block_children(self, block_id: str) -> list[dict[str, Any]]:
        """Every first-level child block of a page or block."""
        return self._read_list("GET", f"blocks/{block_id}/children")

    def append_block_children(
        self,
        block_id: str,
        children: list[dict[str, Any]],
        *,
        after: str | None = None,
    ) -> list[dict[str, Any]]:
        """Append blocks in chunks of 100, each chunk after the previous one.

        Each chunk is a create: a failure that may have been applied is not sent
        again and raises ServerError (re-read the page, then append what is
        missing).
        """
        created: list[dict[str, Any]] = []
        anchor = after
        for start in range(0, len(children), APPEND_CHUNK):
            body: dict[str, Any] = {"children": children[start : start + APPEND_CHUNK]}
            if anchor is not None:
                body["after"] = anchor
            answer = self.request(
                "PATCH", f"blocks/{block_id}/children", body=body, kind="create"
            )
            results = [r for r in answer.get("results") or [] if isinstance(r, dict)]
            created.extend(results)
            if (
                anchor is not None
                and results
                and isinstance(results[-1].get("id"), str)
            ):
                anchor = results[-1]["id"]
        return created

    def retrieve_block(self, block_id: str) -> dict[str, Any]:
        """One block."""
        return self.request("GET", f"blocks/{block_id}", kind="read")

    def update_block(self, block_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Update one block in place (its id does not change)."""
        return self.request("PATCH", f"blocks/{block_id}", body=body, kind="update")

    def delete_block(self, block_id: str) -> dict[str, Any]:
        """Move a block (or a page or database by its id) to the trash."""
        return self.request("DELETE", f"blocks/{block_id}", kind="delete")

    def search(
        self, query: str, *, object: Literal["page", "data_source"] | None = None
    ) -> list[dict[str, Any]]:
        """Every search result for ``query``, optionally of one object type."""
        body: dict[str, Any] = {"query": query}
        if object is not None:
            body["filter"] = {"property": "object", "value": object}
        return self._read_list("POST", "search", body=body)

    def list_views(
        self, *, database_id: str | None = None, data_source_id: str | None = None
    ) -> list[dict[str, Any]]:
        """View references (``{object, id}``) of a database or data source."""
        if (database_id is None) == (data_source_id is None):
            raise ValueError("give exactly one of database_id and data_source_id")
        if database_id is not None:
            params = {"database_id": database_id}
        else:
            params = {"data_source_id": str(data_source_id)}
        return self._read_list("GET", "views", query=params)

    def create_view(
        self, body: dict[str, Any], *, find_existing: FindExisting | None = None
    ) -> dict[str, Any]:
        """Create a view; see :meth:`request` for ``find_existing``."""
        return self.request(
            "POST", "views", body=body, kind="create", find_existing=find_existing
        )

    def retrieve_view(self, view_id: str) -> dict[str, Any]:
        """One view with its filter, sorts and configuration."""
        return self.request("GET", f"views/{view_id}", kind="read")

    def update_view(self, view_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Update a view's name, filter, sorts or configuration."""
        return self.request("PATCH", f"views/{view_id}", body=body, kind="update")

    # -- concurrency, budget, state -------------------------------------------

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """``[fn(item) for item in items]`` on ``config.workers`` threads, in order.

        Every call runs to its end; then the first exception, in input order, is
        raised. Called from inside one of those threads, it runs inline.
        """
        return self._workers.map(fn, items)

    def map_settled(
        self, fn: Callable[[T], R], items: Iterable[T]
    ) -> list[tuple[T, R | BaseException]]:
        """Like :meth:`map`, but returns ``(item, result or exception)`` pairs."""
        return self._workers.map_settled(fn, items)

    def start_budget(self) -> None:
        """Give a new cycle (sync tick, provision run) its whole wait budget."""
        self._budget.start()

    @property
    def budget_remaining_s(self) -> float:
        """Seconds of retry waiting left in the current cycle."""
        return self._budget.remaining()

    @property
    def last_server_time(self) -> datetime | None:
        """The ``Date`` header of the most recent response, in UTC."""
        with self._state_lock:
            return self._last_server_time

    def close(self) -> None:
        """Stop the worker threads and close the HTTP connections."""
        self._workers.close()
        self._http.close()

    def __enter__(self) -> NotionGateway:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- internals -----------------------------------------------------------

    def _send(
        self,
        method: str,
        sdk_path: str,
        shown: str,
        query: dict[str, Any] | None,
        body: dict[str, Any] | None,
    ) -> dict[str, Any]:
        self._wait_for_turn(method, shown)
        logger.debug("%s %s", method, shown)
        try:
            data = self._client.request(sdk_path, method, query=query, body=body)
        except (
            NotionClientErrorBase,
            httpx.HTTPError,
            httpx.InvalidURL,
            json.JSONDecodeError,
        ) as exc:
            failure = translate(exc, method=method, path=shown, now=self._clock())
            if failure is None:
                raise
            raise failure from exc
        if not isinstance(data, dict):
            error = ServerError(
                f"{method} {shown} failed: Notion answered with JSON that is not an "
                "object.",
                hint=HINT_SERVER,
                method=method,
                path=shown,
            )
            raise AttemptError(error, Retry.NEVER, cause=TypeError(type(data).__name__))
        return data

    def _wait_for_turn(self, method: str, shown: str) -> None:
        pause = self._pacer.pause_remaining()
        if pause > 0 and not self._budget.try_reserve(pause):
            raise RateLimitedError(
                scrub(
                    f"{method} {shown}: Notion asked every request to wait "
                    f"{pause:.0f} s more, past this cycle's wait budget; the cycle "
                    "stops here and "
                    "will resume at the next tick."
                ),
                hint=HINT_RATE,
                status=429,
                method=method,
                path=shown,
            )
        self._pacer.acquire()

    def _read_list(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        sdk_path = _sdk_path(path)

        def fetch(cursor: str | None) -> dict[str, Any]:
            paging: dict[str, Any] = {"page_size": PAGE_SIZE}
            if cursor is not None:
                paging["start_cursor"] = cursor
            if method == "GET":
                answer = self.request(
                    method, sdk_path, query={**(query or {}), **paging}, kind="read"
                )
            else:
                answer = self.request(
                    method,
                    sdk_path,
                    query=query,
                    body={**(body or {}), **paging},
                    kind="read",
                )
            if answer.get("object") != "list":
                return {"results": [answer], "has_more": False}
            return answer

        return read_all(fetch, method=method, path=f"/v1/{sdk_path}").results

    def _on_request(self, request: httpx.Request) -> None:
        self.stats.count_attempt(request.method)

    def _on_response(self, response: httpx.Response) -> None:
        if response.status_code in (429, 529):
            self.stats.count_rate_limited()
        when = parse_http_date(response.headers.get("date", ""))
        if when is None:
            return
        with self._state_lock:
            self._last_server_time = when
        dates: list[datetime] | None = getattr(self._local, "dates", None)
        if dates is not None:
            dates.append(when)

    @contextmanager
    def _capturing_dates(self) -> Iterator[list[datetime]]:
        previous = getattr(self._local, "dates", None)
        dates: list[datetime] = []
        self._local.dates = dates
        try:
            yield dates
        finally:
            self._local.dates = previous


def _log_found(method: str, path: str, found: dict[str, Any]) -> None:
    logger.info(
        "%s %s: an earlier attempt had been applied; using %s",
        method,
        path,
        found.get("id"),
    )


def _last_look(look: FindExisting, method: str, path: str) -> dict[str, Any] | None:
    try:
        return look()
    except NotionError as exc:
        logger.warning(
            "%s %s: could not look for the created object: %s",
            method,
            path,
            exc.message,
        )
        return None


def _sdk_path(path: str) -> str:
    relative = path.lstrip("/")
    if relative.startswith("v1/"):
        relative = relative[3:]
    return relative
