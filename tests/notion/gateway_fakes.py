"""A scripted Notion behind httpx.MockTransport, and a fake clock for the gateway."""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx

from notion_crm.notion.gateway import GatewayConfig, NotionGateway

TOKEN = "secret_Gw7TestTokenXyZ0123456789abcdef"
BASE_URL = "http://emulator.local"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

Answer = httpx.Response | type[Exception] | Callable[[httpx.Request], httpx.Response]


class FakeTime:
    """Monotonic time that moves only when the code under test sleeps."""

    def __init__(self) -> None:
        self.elapsed = 0.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        with self._lock:
            return 5_000.0 + self.elapsed

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.elapsed += max(0.0, seconds)

    def clock(self) -> datetime:
        with self._lock:
            return START + timedelta(seconds=self.elapsed)


class FakeNotion:
    """Answers each (method, path) from a script; the last answer repeats."""

    def __init__(self, time: FakeTime) -> None:
        self.time = time
        self.requests: list[httpx.Request] = []
        self._routes: dict[tuple[str, str], list[Answer]] = {}
        self._lock = threading.Lock()

    def on(self, method: str, path: str, *answers: Answer) -> None:
        self._routes[(method, path)] = list(answers)

    def handler(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.requests.append(request)
            queue = self._routes.get((request.method, raw_path(request)))
            if not queue:
                answer: Answer = error(404, "object_not_found", "No route.")
            elif len(queue) > 1:
                answer = queue.pop(0)
            else:
                answer = queue[0]
        if isinstance(answer, type):
            raise answer("scripted failure")
        while not isinstance(answer, httpx.Response):
            answer = answer(request)
        # A fresh response each time: scripted answers repeat.
        fresh = httpx.Response(
            answer.status_code, headers=answer.headers, content=answer.content
        )
        if "date" not in fresh.headers:
            fresh.headers["Date"] = format_datetime(self.time.clock(), usegmt=True)
        return fresh

    def sent(
        self, method: str | None = None, path: str | None = None
    ) -> list[httpx.Request]:
        return [
            r
            for r in self.requests
            if (method is None or r.method == method)
            and (path is None or raw_path(r) == path)
        ]

    def bodies(self, method: str, path: str) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.sent(method, path)]


def raw_path(request: httpx.Request) -> str:
    """The path as sent on the wire (percent-encoding kept), without the query."""
    return request.url.raw_path.split(b"?")[0].decode()


def ok(payload: dict[str, Any], **headers: str) -> httpx.Response:
    return httpx.Response(
        200, json={**payload, "request_id": "req-ok"}, headers=headers
    )


def error(
    status: int,
    code: str,
    message: str,
    *,
    request_id: str = "req-err",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    body = {
        "object": "error",
        "status": status,
        "code": code,
        "message": message,
        "request_id": request_id,
    }
    return httpx.Response(status, json=body, headers=headers or {})


def html(status: int) -> httpx.Response:
    page = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    return httpx.Response(status, text=page, headers={"content-type": "text/html"})


def page(page_id: str, created: str = "2026-01-01T10:00:00.000Z") -> dict[str, Any]:
    return {"object": "page", "id": page_id, "created_time": created, "properties": {}}


def listing(
    results: list[dict[str, Any]],
    *,
    next_cursor: str | None = None,
    incomplete: bool = False,
) -> httpx.Response:
    body: dict[str, Any] = {
        "object": "list",
        "results": results,
        "next_cursor": next_cursor,
        "has_more": next_cursor is not None,
        "type": "page_or_data_source",
        "page_or_data_source": {},
    }
    if incomplete:
        body["request_status"] = {
            "type": "incomplete",
            "incomplete_reason": "query_result_limit_reached",
        }
    return ok(body)


def make_gateway(
    fake: FakeNotion, time: FakeTime, *, seed: int = 7, **overrides: Any
) -> NotionGateway:
    settings: dict[str, Any] = {"base_url": BASE_URL, "pace_rps": 0.0}
    settings.update(overrides)
    return NotionGateway(
        TOKEN,
        GatewayConfig(**settings),
        transport=httpx.MockTransport(fake.handler),
        clock=time.clock,
        sleep=time.sleep,
        monotonic=time.monotonic,
        rng=random.Random(seed),
    )
