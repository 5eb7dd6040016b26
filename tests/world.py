"""A fresh world for each test: an emulator, the gateway, a person, a state store.

Everything runs on one movable clock, through the real notion-client and the real
gateway, with the emulator as the transport: the production code path, no network.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from notion_client import Client

from notion_crm.emulator import Emulator, EmulatorConfig, EmulatorTransport
from notion_crm.notion.gateway import GatewayConfig, NotionGateway
from notion_crm.provision.apply import Provisioner, ProvisionResult
from notion_crm.schema.binding import Binding
from notion_crm.schema.loader import load_schema
from notion_crm.schema.model import Locale, Schema
from notion_crm.settings import CrmSettings
from notion_crm.store.state import StateStore
from notion_crm.sync.engine import SyncEngine
from notion_crm.sync.report import CycleReport

BASE_URL = "http://emulator.local"
TOKEN = "secret_emulator"
PERSON_TOKEN = "person_emulator"
PARIS = ZoneInfo("Europe/Paris")


@dataclass
class MovableClock:
    """A clock that stands still until a test moves it."""

    now: datetime = field(
        default_factory=lambda: datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    )

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now

    def set(self, moment: datetime) -> datetime:
        self.now = moment.astimezone(UTC)
        return self.now

    def today(self, zone: ZoneInfo = PARIS) -> date:
        return self.now.astimezone(zone).date()


Hook = Callable[[httpx.Request], httpx.Response | None]
"""Runs before an integration request; a response returned is sent instead."""


class HookedTransport(httpx.BaseTransport):
    """The emulator's transport under the gateway, recording and hooking requests.

    ``sent`` keeps (method, path, JSON body) of every integration request; each
    hook sees the request first and may answer it itself.
    """

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.hooks: list[Hook] = []
        self.sent: list[tuple[str, str, Any]] = []
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        self.requests.append(request)
        self.sent.append(
            (request.method, request.url.path, json.loads(body) if body else None)
        )
        for hook in list(self.hooks):
            answer = hook(request)
            if answer is not None:
                return answer
        return self.inner.handle_request(request)


def error_response(
    request: httpx.Request, status: int, code: str, message: str
) -> httpx.Response:
    """A Notion error answer, as a hook returns it."""
    payload = {"object": "error", "status": status, "code": code, "message": message}
    return httpx.Response(status, json=payload, request=request)


class World:
    """One workspace and one notion-crm installation, built fresh for a test."""

    def __init__(
        self,
        tmp_path: Path,
        *,
        clock: MovableClock | None = None,
        faults: str = "",
        seed: int = 0,
        crm: CrmSettings | None = None,
        gateway_config: GatewayConfig | None = None,
    ) -> None:
        self.tmp_path = tmp_path
        self.clock = clock or MovableClock()
        self.emulator = Emulator(
            EmulatorConfig(rate_limit_rps=0, faults=faults, seed=seed),
            clock=self.clock,
            sleep=lambda _s: None,
        )
        self.transport = EmulatorTransport(self.emulator)
        self.hooked = HookedTransport(self.transport)
        self.sleeps: list[float] = []
        self.elapsed = 0.0
        self.gateway = NotionGateway(
            TOKEN,
            gateway_config or GatewayConfig(base_url=BASE_URL, pace_rps=0),
            transport=self.hooked,
            clock=self.clock,
            sleep=self._sleep,
            monotonic=lambda: self.elapsed,
        )
        self.person = Client(
            auth=PERSON_TOKEN,
            base_url=BASE_URL,
            client=httpx.Client(transport=self.transport),
            retry=False,
        )
        self.schema: Schema = load_schema()
        self.store = StateStore(tmp_path / "state.db")
        self.crm = crm or CrmSettings()
        self._engine: SyncEngine | None = None

    def _sleep(self, seconds: float) -> None:
        """Waits cost no real time: they move the gateway's monotonic clock."""
        self.sleeps.append(seconds)
        self.elapsed += max(0.0, seconds)

    def close(self) -> None:
        self.gateway.close()
        self.person.close()
        self.store.close()

    @property
    def binding(self) -> Binding:
        binding = self.store.binding()
        assert binding is not None, "provision first"
        return binding

    def provision(self, locale: Locale = "en") -> ProvisionResult:
        provisioner = Provisioner(self.gateway, self.store, self.schema, locale)
        return provisioner.run(self.emulator.root_page_id)

    @property
    def engine(self) -> SyncEngine:
        if self._engine is None:
            self._engine = SyncEngine(
                self.gateway, self.store, self.schema, self.crm, clock=self.clock
            )
        return self._engine

    def cycle(self, *, full: bool = False, dry_run: bool = False) -> CycleReport:
        return self.engine.cycle(full=full, dry_run=dry_run)

    def integration_requests(self) -> dict[str, int]:
        """Requests the integration sent since the last reset, by method."""
        counts: dict[str, int] = {}
        for row in self.emulator.stats()["requests"]:
            if row["caller"] == "integration":
                counts[row["method"]] = counts.get(row["method"], 0) + row["count"]
        return counts

    def requests_by_path(self) -> dict[str, int]:
        """Integration requests since the last reset, by "METHOD /template"."""
        counts: dict[str, int] = {}
        for row in self.emulator.stats()["requests"]:
            if row["caller"] == "integration":
                key = f"{row['method']} {row['path']}"
                counts[key] = counts.get(key, 0) + row["count"]
        return counts

    def reset_counts(self) -> None:
        """Zero the emulator's stats and forget the recorded requests."""
        self.emulator.reset_stats()
        self.hooked.sent.clear()
        self.hooked.requests.clear()

    def patches(self) -> list[tuple[str, Any]]:
        """(path, body) of each PATCH the integration sent since the last reset."""
        return [(p, b) for m, p, b in self.hooked.sent if m == "PATCH"]

    def store_last_changes(self) -> dict[str, date]:
        """Each opportunity's latest recorded stage change, as a Paris date."""
        return {
            page: when.astimezone(PARIS).date()
            for page, when in self.store.last_transitions().items()
        }

    def mirror(self, db: str) -> dict[str, Any]:
        return self.store.load_mirror().get(db, {})

    def update_schema(self, db: str, properties: dict[str, Any]) -> None:
        """Change a data source's properties as a person (rename, delete...)."""
        self.person.data_sources.update(
            data_source_id=self.binding.database(db).data_source_id,
            properties=properties,
        )

    def schema_of(self, db: str) -> dict[str, Any]:
        source = self.binding.database(db).data_source_id
        return dict(self.person.data_sources.retrieve(data_source_id=source))

    def writes(self) -> int:
        counts = self.integration_requests()
        return sum(n for m, n in counts.items() if m != "GET") - self._query_posts()

    def _query_posts(self) -> int:
        return sum(
            row["count"]
            for row in self.emulator.stats()["requests"]
            if row["caller"] == "integration"
            and row["method"] == "POST"
            and row["path"].endswith("/query")
        )

    # -- acting as a person in Notion's UI -----------------------------------------

    def prop_id(self, db: str, key: str) -> str:
        return self.binding.database(db).properties[key].id

    def option_id(self, db: str, key: str, option: str) -> str:
        return self.binding.database(db).properties[key].options[option]

    def create(self, db: str, name: str, **values: Any) -> str:
        """Create a page as a person; values are keyed by property key."""
        props = {self.prop_id(db, "name"): {"title": [{"text": {"content": name}}]}}
        props.update(self._encode(db, values))
        source = self.binding.database(db).data_source_id
        page = self.person.pages.create(
            parent={"type": "data_source_id", "data_source_id": source},
            properties=props,
        )
        return str(page["id"])

    def edit(self, page_id: str, db: str, **values: Any) -> None:
        """Edit a page as a person; values are keyed by property key."""
        self.person.pages.update(page_id, properties=self._encode(db, values))

    def trash(self, page_id: str, trashed: bool = True) -> None:
        self.person.pages.update(page_id, in_trash=trashed)

    def page(self, page_id: str) -> dict[str, Any]:
        return dict(self.person.pages.retrieve(page_id))

    def value(self, page_id: str, db: str, key: str) -> Any:
        """A property's plain value as Notion holds it now."""
        page = self.page(page_id)
        wanted = self.prop_id(db, key)
        from urllib.parse import unquote

        for prop in page["properties"].values():
            if unquote(prop["id"]) == unquote(wanted):
                return _plain(prop)
        raise KeyError(key)

    def _encode(self, db: str, values: dict[str, Any]) -> dict[str, Any]:
        props: dict[str, Any] = {}
        for key, value in values.items():
            spec = self.schema.workspace.database(db).properties[key]
            props[self.prop_id(db, key)] = _encode(
                spec.type, value, lambda o, k=key: self.option_id(db, k, o)
            )
        return props


def _encode(kind: str, value: Any, option: Callable[[str], str]) -> dict[str, Any]:
    if kind == "select":
        return {"select": {"id": option(value)} if value else None}
    if kind == "relation":
        return {"relation": [{"id": v} for v in value]}
    if kind == "date":
        if value is None:
            return {"date": None}
        start = value.isoformat() if isinstance(value, date | datetime) else str(value)
        return {"date": {"start": start}}
    if kind == "number":
        return {"number": value}
    if kind == "checkbox":
        return {"checkbox": bool(value)}
    if kind in ("title", "rich_text"):
        return {kind: [{"text": {"content": value}}]}
    return {kind: value}


def _plain(prop: dict[str, Any]) -> Any:
    kind = prop["type"]
    content = prop[kind]
    if kind == "select":
        return content["name"] if content else None
    if kind == "date":
        return content["start"] if content else None
    if kind == "relation":
        return [r["id"] for r in content]
    if kind in ("title", "rich_text"):
        return "".join(t["plain_text"] for t in content)
    return content
