"""The naive baseline: what a simple sync script does each cycle.

It re-reads every page of the four data sources (queries of 100, continuing in
``created_time`` windows past Notion's 10,000-result cap), computes the owned values
with the product's pure ``compute()`` from the relations' small sides, and PATCHes
every computed property of every company, contact and opportunity, one request per
page, whether the value changed or not. It knows nothing of cursors, of what Notion
already holds, or of the dashboard. It is not part of the product.

It runs with the emulator's rate limit off and no latency; its time at Notion's
limit is its request count divided by 3 requests per second.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import httpx

from benchmarks.generate import rules
from notion_crm.schema.loader import load_schema
from notion_crm.sync.compute import compute
from notion_crm.sync.records import Company, Contact, Interaction, Opportunity
from notion_crm.sync.records import Snapshot as RecordSnapshot

CAP = 10_000
"""Notion's result cap for one query."""


@dataclass(frozen=True, slots=True)
class BaselineCycle:
    """Requests one baseline cycle sent."""

    queries: int
    patches: int

    @property
    def total(self) -> int:
        """All requests of the cycle."""
        return self.queries + self.patches


def _names(db: str) -> dict[str, str]:
    spec = load_schema().workspace.database(db)
    return {key: prop.name("en") for key, prop in spec.properties.items()}


def _option_keys(db: str, prop: str) -> dict[str, str]:
    spec = load_schema().workspace.database(db).properties[prop]
    return {o.name("en"): o.key for o in spec.options}


class NaiveSync:
    """One integration token, four data source ids, and a cycle that does it all."""

    def __init__(
        self, base_url: str, token: str, sources: Mapping[str, str], *, workers: int = 4
    ) -> None:
        self.sources = dict(sources)
        self.workers = workers
        self.http = httpx.Client(
            base_url=base_url,
            headers={
                "Authorization": f"Bearer {token}",
                "Notion-Version": "2025-09-03",
            },
            timeout=120,
        )
        self.queries = 0

    def close(self) -> None:
        """Close the HTTP connections."""
        self.http.close()

    def cycle(self, *, today: date) -> BaselineCycle:
        """Read everything, compute, write every computed property of every page."""
        self.queries = 0
        pages = {db: self._read_all(source) for db, source in self.sources.items()}
        snap = _snapshot(pages)
        values = compute(snap, rules(), today=today, last_stage_change={})
        bodies = _bodies(values)
        with ThreadPoolExecutor(self.workers) as pool:
            list(pool.map(self._patch, bodies.items()))
        return BaselineCycle(self.queries, len(bodies))

    def _read_all(self, source: str) -> list[dict[str, Any]]:
        results: dict[str, dict[str, Any]] = {}
        window: str | None = None
        while True:
            batch, incomplete = self._read_window(source, window)
            results.update((p["id"], p) for p in batch)
            if not incomplete or not batch:
                return list(results.values())
            window = max(p["created_time"] for p in batch)

    def _read_window(
        self, source: str, since: str | None
    ) -> tuple[list[dict[str, Any]], bool]:
        body: dict[str, Any] = {
            "page_size": 100,
            "sorts": [{"timestamp": "created_time", "direction": "ascending"}],
        }
        if since is not None:
            body["filter"] = {
                "timestamp": "created_time",
                "created_time": {"on_or_after": since},
            }
        pages: list[dict[str, Any]] = []
        while True:
            answer = self.http.post(f"/v1/data_sources/{source}/query", json=body)
            self.queries += 1
            answer.raise_for_status()
            data = answer.json()
            pages.extend(data["results"])
            if not data.get("has_more"):
                status = data.get("request_status") or {}
                return pages, status.get("type") == "incomplete"
            body["start_cursor"] = data["next_cursor"]

    def _patch(self, item: tuple[str, dict[str, Any]]) -> None:
        page_id, properties = item
        answer = self.http.patch(
            f"/v1/pages/{page_id}", json={"properties": properties}
        )
        answer.raise_for_status()


def _relation(page: dict[str, Any], name: str) -> tuple[str, ...]:
    value = page["properties"].get(name) or {}
    return tuple(item["id"] for item in value.get("relation") or [])


def _date(page: dict[str, Any], name: str) -> date | None:
    value = (page["properties"].get(name) or {}).get("date")
    return date.fromisoformat(value["start"][:10]) if value else None


def _snapshot(pages: Mapping[str, list[dict[str, Any]]]) -> RecordSnapshot:
    snap = RecordSnapshot()
    for page in pages["companies"]:
        snap.companies[page["id"]] = Company(id=page["id"])
    names = _names("contacts")
    for page in pages["contacts"]:
        snap.contacts[page["id"]] = Contact(
            id=page["id"], company=_relation(page, names["company"])
        )
    for page in pages["opportunities"]:
        snap.opportunities[page["id"]] = _opportunity(page)
    names = _names("interactions")
    for page in pages["interactions"]:
        snap.interactions[page["id"]] = Interaction(
            id=page["id"],
            date=_date(page, names["date"]),
            company=_relation(page, names["company"]),
            contacts=_relation(page, names["contacts"]),
            opportunity=_relation(page, names["opportunity"]),
        )
    return snap


def _opportunity(page: dict[str, Any]) -> Opportunity:
    names = _names("opportunities")
    props = page["properties"]
    stage = (props[names["stage"]].get("select") or {}).get("name")
    amount = props[names["amount"]].get("number")
    stamp_keys = ("quote_sent_on", "started_on", "completed_on", "closed_on")
    return Opportunity(
        id=page["id"],
        company=_relation(page, names["company"]),
        contacts=_relation(page, names["contacts"]),
        stage=_option_keys("opportunities", "stage").get(stage or ""),
        amount=None if amount is None else Decimal(str(amount)),
        stage_dates={k: _date(page, names[k]) for k in stamp_keys},
        created_time=datetime.fromisoformat(
            page["created_time"].replace("Z", "+00:00")
        ),
    )


def _number(value: Decimal | int) -> int | float:
    return int(value) if value == int(value) else float(value)


def _day(value: date | None) -> dict[str, Any] | None:
    return {"start": value.isoformat()} if value else None


def _bodies(values: Any) -> dict[str, dict[str, Any]]:
    """Every computed property of every page, keyed by page id."""
    status_names = {v: k for k, v in _option_keys("companies", "status").items()}
    co, ct, op = _names("companies"), _names("contacts"), _names("opportunities")
    bodies: dict[str, dict[str, Any]] = {}
    for page_id, v in values.companies.items():
        bodies[page_id] = {
            co["status"]: {"select": {"name": status_names[v.status]}},
            co["active_projects"]: {"number": v.active_projects},
            co["signed_revenue"]: {"number": _number(v.signed_revenue)},
            co["potential_revenue"]: {"number": _number(v.potential_revenue)},
            co["last_interaction"]: {"date": _day(v.last_interaction)},
            co["next_interaction"]: {"date": _day(v.next_interaction)},
        }
    for page_id, cv in values.contacts.items():
        bodies[page_id] = {ct["last_interaction"]: {"date": _day(cv.last_interaction)}}
    for page_id, ov in values.opportunities.items():
        bodies[page_id] = {
            op["last_interaction"]: {"date": _day(ov.last_interaction)},
            op["needs_follow_up"]: {"checkbox": ov.needs_follow_up},
        }
    return bodies
