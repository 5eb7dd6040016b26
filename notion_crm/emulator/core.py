"""The emulator: authentication, routing, limits, faults, stats and persistence.

:meth:`Emulator.handle` serves one request, API or ``/_emulator/`` extra, and is safe
to call from many threads: the workspace is changed under one lock, while latency,
held requests and rate limiting wait outside it.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from notion_crm.emulator import errors, persistence
from notion_crm.emulator.bootstrap import first_person, new_store
from notion_crm.emulator.config import (
    FREE_UPLOAD_LIMIT_BYTES,
    PAID_UPLOAD_LIMIT_BYTES,
    EmulatorConfig,
)
from notion_crm.emulator.context import Ctx
from notion_crm.emulator.errors import ApiError, DroppedConnection, SimulatedTimeout
from notion_crm.emulator.faults import CURSOR_KINDS, POST_KINDS, PRE_KINDS, FaultPlan
from notion_crm.emulator.ids import fmt_http_date, new_uuid
from notion_crm.emulator.model import Caller, User
from notion_crm.emulator.ratelimit import TokenBucket
from notion_crm.emulator.router import PAGINATED, Request, is_mutation, match
from notion_crm.emulator.store import Store

logger = logging.getLogger(__name__)
Response = tuple[int, dict[str, str], bytes]


@dataclass
class TokenInfo:
    """What a bearer token stands for."""

    kind: str
    user_id: str
    workspace_id: str
    revoked: bool = False


@dataclass
class HoldState:
    """The ``/_emulator/hold`` switch: requests after the k-th wait, then drop."""

    after: int
    apply: bool
    seen: int = 0
    release: threading.Event = field(default_factory=threading.Event)


class Emulator:
    """A stateful, in-memory Notion API (version 2025-09-03)."""

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        clock: Callable[[], datetime] | None = None,
        sleep: Callable[[float], None] | None = None,
        monotonic: Callable[[], float] | None = None,
    ) -> None:
        self.config = config or EmulatorConfig()
        self._base_clock = clock or (lambda: datetime.now(UTC))
        self._frozen: datetime | None = None
        self._offset = timedelta()
        self.sleep = sleep or time.sleep
        self.monotonic = monotonic or time.monotonic
        self._lock = threading.RLock()
        self._stats: Counter[tuple[str, str, str, int]] = Counter()
        self._bucket = TokenBucket(
            self.config.rate_limit_rps, self.config.rate_limit_burst, self.monotonic
        )
        self._faults = FaultPlan.parse(self.config.faults, self.config.seed)
        self._hold: HoldState | None = None
        self._initial = self._initial_text()
        self.store = self._fresh_store()
        self.tokens: dict[str, TokenInfo] = {}
        self._install_tokens()

    # ---- set-up --------------------------------------------------------------

    def _initial_text(self) -> str | None:
        path = self.config.data_path
        if path is not None and path.exists():
            return path.read_text(encoding="utf-8")
        return None

    def _fresh_store(self) -> Store:
        if self._initial is not None:
            return persistence.load_data(json.loads(self._initial), self.config.seed)
        store = new_store(self.config, self.now())
        if self.config.data_path is not None:
            persistence.save(store, self.config.data_path)
        return store

    def _install_tokens(self) -> None:
        store = self.store
        self.tokens = {
            self.config.token: TokenInfo(
                "integration", store.bot_id, store.workspace_id
            ),
            self.config.person_token: TokenInfo(
                "person", first_person(store), store.workspace_id
            ),
        }

    @property
    def root_page_id(self) -> str:
        """A page shared with the integration, under which it can build."""
        return self.store.root_page_id

    # ---- clock ---------------------------------------------------------------

    def now(self) -> datetime:
        """The emulator's current time (aware UTC)."""
        if self._frozen is not None:
            return self._frozen
        return self._base_clock().astimezone(UTC) + self._offset

    def set_clock(
        self,
        now: datetime | None = None,
        advance_s: float | None = None,
        resume: bool = False,
    ) -> datetime:
        """Freeze the clock at ``now`` or ``advance_s`` on; ``resume`` ticks again."""
        with self._lock:
            current = self.now()
            if now is not None:
                self._frozen = now.astimezone(UTC)
            elif advance_s is not None:
                self._frozen = current + timedelta(seconds=advance_s)
            elif resume:
                self._offset = current - self._base_clock().astimezone(UTC)
                self._frozen = None
            return self.now()

    # ---- extras used by control.py ----------------------------------------------

    def stats(self) -> dict[str, Any]:
        """Counts of every ``/v1/`` request by caller, method, template and status."""
        with self._lock:
            rows = [
                {"caller": c, "method": m, "path": p, "status": s, "count": n}
                for (c, m, p, s), n in sorted(self._stats.items())
            ]
        return {"requests": rows}

    def reset_stats(self) -> None:
        """Zero the request counts."""
        with self._lock:
            self._stats.clear()

    def reset(self) -> None:
        """Back to the start-up state; stats zeroed."""
        with self._lock:
            self.store = self._fresh_store()
            self._install_tokens()
            self._stats.clear()
            self._bucket.reset()
            self._save_if_needed(force=True)

    def set_faults(self, spec: str, seed: int | None = None) -> None:
        """Replace the fault plan (an empty spec turns faults off)."""
        with self._lock:
            self._faults = FaultPlan.parse(
                spec, self.config.seed if seed is None else seed
            )

    def share(self, object_id: str, shared: bool) -> None:
        """Share or unshare a page or database with the integration."""
        from notion_crm.emulator.ids import normalize_id

        key = normalize_id(object_id) or object_id
        with self._lock:
            if shared:
                self.store.shared.add(key)
                self.store.unshared.discard(key)
            else:
                self.store.shared.discard(key)
                self.store.unshared.add(key)
            self.store.touch()
            self._save_if_needed()

    def add_token(self, token: str, workspace: str = "same") -> None:
        """Add an integration token to this workspace or to a second, empty one."""
        with self._lock:
            store = self.store
            if workspace == "same":
                self.tokens[token] = TokenInfo(
                    "integration", store.bot_id, store.workspace_id
                )
                return
            workspace_id = new_uuid(store.rng)
            bot = User(
                new_uuid(store.rng),
                self.config.integration_name,
                "bot",
                None,
                workspace_id,
                "Other workspace",
            )
            store.users[bot.id] = bot
            self.tokens[token] = TokenInfo("integration", bot.id, workspace_id)

    def revoke_token(self, token: str) -> None:
        """Make ``token`` answer 401."""
        with self._lock:
            info = self.tokens.get(token)
            if info is not None:
                info.revoked = True

    def set_hold(self, after: int | None, apply: bool = False) -> None:
        """Hold integration requests after the ``after``-th; None releases them."""
        with self._lock:
            previous = self._hold
            self._hold = None if after is None else HoldState(after, apply)
        if previous is not None:
            previous.release.set()

    # ---- serving ---------------------------------------------------------------

    def handle(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> Response:
        """Serve one request; raise DroppedConnection/SimulatedTimeout for faults."""
        method = method.upper()
        parts = urlsplit(url)
        path = parts.path
        if path.startswith("/_emulator/"):
            from notion_crm.emulator.control import handle_control

            return handle_control(self, method, path, body)
        lowered = {k.lower(): v for k, v in headers.items()}
        request_id = str(uuid.uuid4())
        template, handler, params = (
            match(method, path) if path.startswith("/v1/") else (None, None, {})
        )
        shown = template or path
        caller = self._caller(lowered)
        label = caller.kind if caller else "integration"
        status = 0
        try:
            status, out_headers, payload = self._serve(
                method,
                path,
                parts.query,
                lowered,
                body,
                caller,
                template,
                handler,
                params,
                request_id,
            )
            return status, out_headers, payload
        finally:
            with self._lock:
                self._stats[(label, method, shown, status)] += 1

    def _caller(self, headers: Mapping[str, str]) -> Caller | None:
        auth = headers.get("authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        info = self.tokens.get(token)
        if info is None or info.revoked:
            return None
        return Caller(
            info.kind,
            info.user_id,
            info.workspace_id,
            self.config.integration_name,
            token,
        )

    def _serve(
        self,
        method: str,
        path: str,
        raw_query: str,
        headers: Mapping[str, str],
        body: bytes,
        caller: Caller | None,
        template: str | None,
        handler: Any,
        params: dict[str, str],
        request_id: str,
    ) -> Response:
        try:
            if caller is None:
                raise errors.unauthorized()
            if handler is None:
                raise errors.invalid_url()
            if caller.kind == "integration":
                return self._serve_integration(
                    method,
                    path,
                    raw_query,
                    headers,
                    body,
                    caller,
                    template or path,
                    handler,
                    params,
                    request_id,
                )
            return self._run(
                method,
                raw_query,
                headers,
                body,
                caller,
                template or path,
                handler,
                params,
                request_id,
                None,
            )
        except ApiError as exc:
            return self._error(exc, request_id)

    def _serve_integration(
        self,
        method: str,
        path: str,
        raw_query: str,
        headers: Mapping[str, str],
        body: bytes,
        caller: Caller,
        template: str,
        handler: Any,
        params: dict[str, str],
        request_id: str,
    ) -> Response:
        wait = self._bucket.acquire(caller.token)
        if wait:
            raise errors.rate_limited(wait, "connection_rate_limit")
        fault = self._pick_fault(method, path, template, body, raw_query)
        held = self._check_hold()
        if self.config.latency_ms > 0:
            self.sleep(self.config.latency_ms / 1000)
        if fault in PRE_KINDS:
            return self._pre_fault(fault, request_id)
        if held is not None and not held.apply:
            self._wait_and_drop(held)
        response = self._run(
            method,
            raw_query,
            headers,
            body,
            caller,
            template,
            handler,
            params,
            request_id,
            fault,
        )
        if held is not None:
            self._wait_and_drop(held)
        if fault == "502applied":
            return self._error(_bad_gateway(), request_id)
        if fault == "timeoutapplied":
            raise SimulatedTimeout()
        return response

    def _pick_fault(
        self, method: str, path: str, template: str, body: bytes, raw_query: str
    ) -> str | None:
        applicable = set(PRE_KINDS | POST_KINDS)
        if template in PAGINATED:
            applicable.add("loopcursor")
            if "start_cursor" in raw_query or b'"start_cursor"' in body:
                applicable.add("badcursor")
        with self._lock:
            return self._faults.pick(method, path, template, body, applicable)

    def _check_hold(self) -> HoldState | None:
        with self._lock:
            hold = self._hold
            if hold is None:
                return None
            hold.seen += 1
            return hold if hold.seen > hold.after else None

    def _wait_and_drop(self, hold: HoldState) -> None:
        hold.release.wait()
        raise DroppedConnection()

    def _run(
        self,
        method: str,
        raw_query: str,
        headers: Mapping[str, str],
        body: bytes,
        caller: Caller,
        template: str,
        handler: Any,
        params: dict[str, str],
        request_id: str,
        fault: str | None,
    ) -> Response:
        parsed = _parse_body(method, headers, body)
        query = parse_qs(raw_query, keep_blank_values=True)
        request = Request(params, query, parsed, body, headers.get("content-type", ""))
        with self._lock:
            ctx = self._context(caller, fault)
            try:
                result = handler(ctx, request)
            finally:
                if is_mutation(method, template):
                    self._save_if_needed()
        return self._ok(result, request_id)

    def _context(self, caller: Caller, fault: str | None) -> Ctx:
        cap = self.config.query_cap
        if self._faults.cap is not None and caller.kind == "integration":
            cap = self._faults.cap
        free = self.config.plan == "free"
        limit = FREE_UPLOAD_LIMIT_BYTES if free else PAID_UPLOAD_LIMIT_BYTES
        cursor_fault = fault if fault in CURSOR_KINDS else None
        return Ctx(
            self.store, caller, self.now(), self.config, cap, limit, cursor_fault
        )

    def _save_if_needed(self, force: bool = False) -> None:
        path = self.config.data_path
        if path is not None and (self.store.dirty or force):
            persistence.save(self.store, path)

    # ---- responses -------------------------------------------------------------

    def _headers(self, content_type: str) -> dict[str, str]:
        return {"Content-Type": content_type, "Date": fmt_http_date(self.now())}

    def _ok(self, result: dict[str, Any], request_id: str) -> Response:
        payload = {**result, "request_id": request_id}
        data = json.dumps(payload, ensure_ascii=False).encode()
        return 200, self._headers("application/json; charset=utf-8"), data

    def _error(self, exc: ApiError, request_id: str) -> Response:
        data = json.dumps(exc.body(request_id), ensure_ascii=False).encode()
        headers = self._headers("application/json; charset=utf-8")
        headers.update(exc.headers)
        return exc.status, headers, data

    def _pre_fault(self, kind: str, request_id: str) -> Response:
        if kind == "timeout":
            raise SimulatedTimeout()
        if kind == "reset":
            raise DroppedConnection()
        if kind == "502html":
            html = (
                b"<html><head><title>502 Bad Gateway</title></head><body><center>"
                b"<h1>502 Bad Gateway</h1></center></body></html>"
            )
            return 502, self._headers("text/html"), html
        return self._error(_fault_error(kind), request_id)


def _parse_body(method: str, headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
    if method not in ("POST", "PATCH") or not body.strip():
        return {}
    if "multipart/form-data" in headers.get("content-type", ""):
        return {}
    try:
        parsed = json.loads(body)
    except ValueError as exc:
        raise errors.invalid_json() from exc
    if not isinstance(parsed, dict):
        raise errors.invalid_json()
    return parsed


def _bad_gateway() -> ApiError:
    return ApiError(502, "bad_gateway", "Bad gateway.")


def _fault_error(kind: str) -> ApiError:
    if kind == "429":
        return errors.rate_limited(1, "connection_rate_limit")
    if kind == "429long":
        return errors.rate_limited(120, "workspace_rate_limit")
    if kind == "409":
        return errors.conflict()
    table = {
        "529": (
            529,
            "service_overload",
            "Notion is overloaded. Please try again later.",
        ),
        "500": (500, "internal_server_error", "Unexpected error occurred."),
        "502": (502, "bad_gateway", "Bad gateway."),
        "503": (
            503,
            "service_unavailable",
            "Notion is unavailable, please try again later.",
        ),
        "504": (504, "gateway_timeout", "Gateway timeout."),
    }
    status, code, message = table[kind]
    extra = {"Retry-After": "1"} if kind == "529" else None
    return ApiError(status, code, message, headers=extra)
