"""Random person edits interleaved with cycles, checked against a recomputation.

A person creates opportunities and interactions, moves stages, clears amounts and
edits relations from either side while the clock moves; incremental cycles run in
between. After a final cycle, every owned value in Notion must equal ``compute()``
over a snapshot read page by page through the person's client, and the stage dates
and transitions must be what a model of the stages each cycle saw predicts. A
second test adds trash and restore, closed by one full reconcile.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notion_crm.sync.compute import compute
from notion_crm.sync.decode import decode_page
from notion_crm.sync.kpis import compute_kpis
from notion_crm.sync.records import Snapshot
from notion_crm.sync.writes import KINDS, OWNED, held_value, same
from tests.world import PARIS, World

STAGES = (
    "contact_initiated",
    "quote_to_send",
    "quote_sent",
    "follow_up",
    "project_launched",
    "project_completed",
    "refused",
)
STAMPS = {
    "quote_sent": "quote_sent_on",
    "project_launched": "started_on",
    "project_completed": "completed_on",
    "refused": "closed_on",
}
DBS = ("companies", "contacts", "opportunities", "interactions")

Action = tuple[Any, ...]

index = st.integers(min_value=0, max_value=50)
actions = st.one_of(
    st.tuples(
        st.just("create_opp"),
        st.sampled_from(STAGES),
        index,
        st.one_of(st.none(), st.integers(0, 5000)),
    ),
    st.tuples(st.just("stage"), index, st.sampled_from(STAGES)),
    st.tuples(st.just("amount"), index, st.one_of(st.none(), st.integers(0, 5000))),
    st.tuples(st.just("opp_company"), index, st.lists(index, max_size=2)),
    st.tuples(st.just("company_opps"), index, st.lists(index, max_size=4)),
    st.tuples(st.just("interaction"), st.integers(-12, 12), index, index),
    st.tuples(st.just("contact_company"), index, index),
    st.tuples(st.just("wait_s"), st.integers(5, 130)),
    st.tuples(st.just("wait_days"), st.integers(1, 9)),
    st.tuples(
        st.just("cycle"),
    ),
    st.tuples(
        st.just("settle"),
    ),
    st.tuples(
        st.just("settle"),
    ),
)
trash_actions = st.one_of(
    actions,
    st.tuples(
        st.just("trash"),
        st.sampled_from(("companies", "opportunities")),
        index,
        st.booleans(),
    ),
)


@dataclass
class Model:
    """What the engine should have seen: stages at each cycle, dates it stamped."""

    seen: dict[str, str | None] = field(default_factory=dict)
    transitions: dict[str, list[str | None]] = field(default_factory=dict)
    last_change: dict[str, date] = field(default_factory=dict)
    stamped: dict[str, dict[str, str]] = field(default_factory=dict)


class Story:
    """A world, the ids of what the person made, and the model."""

    def __init__(self, world: World) -> None:
        self.w = world
        self.model = Model()
        world.provision("en")
        world.cycle()  # cold start on empty data: everything after is stamped
        self.companies = [world.create("companies", f"C{i}") for i in range(3)]
        self.contacts = [
            world.create("contacts", f"P{i}", company=[self.companies[i]])
            for i in range(3)
        ]
        self.opps: list[str] = []
        self.trashed: set[str] = set()
        for i, stage in enumerate(("quote_sent", "to_contact", "project_launched")):
            self.create_opp(stage, i, 1000 * (i + 1))
        self.settle()

    def settle(self) -> None:
        """Wait past the poll window, then cycle: later edits fall outside it."""
        self.w.clock.advance(seconds=150)
        self.cycle()
        self.w.clock.advance(seconds=150)

    def pick(self, items: list[str], i: int) -> str:
        return items[i % len(items)]

    def create_opp(self, stage: str, company: int, amount: int | None) -> None:
        values: dict[str, Any] = {
            "stage": stage,
            "company": [self.pick(self.companies, company)],
        }
        if amount is not None:
            values["amount"] = amount
        self.opps.append(self.w.create("opportunities", f"O{len(self.opps)}", **values))

    def act(self, action: Action) -> None:
        kind, *args = action
        w = self.w
        if kind == "create_opp":
            self.create_opp(args[0], args[1], args[2])
        elif kind == "stage":
            self.edit_opp(args[0], stage=args[1])
        elif kind == "amount":
            self.edit_opp(args[0], amount=args[1])
        elif kind == "opp_company":
            self.edit_opp(
                args[0], company=sorted({self.pick(self.companies, i) for i in args[1]})
            )
        elif kind == "company_opps":
            company = self.pick(self.companies, args[0])
            opps = sorted({self.pick(self.opps, i) for i in args[1]} - self.trashed)
            if company not in self.trashed:
                w.edit(company, "companies", opportunities=opps)
        elif kind == "interaction":
            day = w.clock.today() + timedelta(days=args[0])
            opp = self.pick(self.opps, args[1])
            w.create(
                "interactions",
                "I",
                date=day,
                contacts=[self.pick(self.contacts, args[2])],
                opportunity=[] if opp in self.trashed else [opp],
            )
        elif kind == "contact_company":
            company = self.pick(self.companies, args[1])
            if company not in self.trashed:
                w.edit(self.pick(self.contacts, args[0]), "contacts", company=[company])
        elif kind == "wait_s":
            w.clock.advance(seconds=args[0])
        elif kind == "wait_days":
            w.clock.advance(days=args[0])
        elif kind == "trash":
            self.trash(args[0], args[1], args[2])
        elif kind == "settle":
            self.settle()
        else:
            self.cycle()

    def edit_opp(self, i: int, **values: Any) -> None:
        opp = self.pick(self.opps, i)
        if opp not in self.trashed:
            self.w.edit(opp, "opportunities", **values)

    def trash(self, db: str, i: int, trashed: bool) -> None:
        page = self.pick(self.companies if db == "companies" else self.opps, i)
        if trashed != (page in self.trashed):
            self.w.trash(page, trashed)
            (self.trashed.add if trashed else self.trashed.discard)(page)

    def cycle(self, *, full: bool = False) -> None:
        self.predict()
        self.w.clock.advance(seconds=1)
        self.report = self.w.cycle(full=full)

    def predict(self) -> None:
        """What the coming cycle must record and stamp, from what it will see."""
        stage_names = {
            v: k
            for k, v in self.w.binding.database("opportunities")
            .properties["stage"]
            .options.items()
        }
        for page in self.person_pages("opportunities"):
            page_id = str(page["id"])
            stage_id = page["properties"]["Stage"]["select"]
            stage = stage_names[stage_id["id"]] if stage_id else None
            if page_id in self.model.seen and self.model.seen[page_id] == stage:
                continue
            if page_id not in self.model.seen and stage is None:
                self.model.seen[page_id] = None
                continue
            self.model.seen[page_id] = stage
            self.model.transitions.setdefault(page_id, []).append(stage)
            edited = datetime.fromisoformat(
                page["last_edited_time"].replace("Z", "+00:00")
            )
            day = edited.astimezone(PARIS).date()
            self.model.last_change[page_id] = day
            key = STAMPS.get(stage or "")
            prop = self.w.schema.workspace.database("opportunities").properties
            name = prop[key].name("en") if key else ""
            if key and page["properties"][name]["date"] is None:
                self.model.stamped.setdefault(page_id, {}).setdefault(
                    key, day.isoformat()
                )

    def person_pages(self, db: str) -> list[dict[str, Any]]:
        source = self.w.binding.database(db).data_source_id
        pages: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            kwargs: dict[str, Any] = {"data_source_id": source, "page_size": 100}
            if cursor:
                kwargs["start_cursor"] = cursor
            answer = self.w.person.data_sources.query(**kwargs)
            pages.extend(answer["results"])
            if not answer["has_more"]:
                return pages
            cursor = answer["next_cursor"]

    def snapshot(self) -> Snapshot:
        """Every live page, read through the person's client and decoded."""
        binding = self.w.binding
        keys = tuple(STAMPS.values())
        found: dict[str, Any] = {}
        for db in DBS:
            found[db] = {
                str(p["id"]): decode_page(
                    db, p, binding.database(db), PARIS, keys
                ).record
                for p in self.person_pages(db)
            }
        return Snapshot(**found)


def _check_values(story: Story, last_change: dict[str, date]) -> None:
    world = story.w
    snapshot = story.snapshot()
    rules = world.engine._rules(world.binding)
    today = world.clock.today()
    computed = compute(snapshot, rules, today=today, last_stage_change=last_change)
    tables = {
        "companies": (snapshot.companies, computed.companies),
        "contacts": (snapshot.contacts, computed.contacts),
        "opportunities": (snapshot.opportunities, computed.opportunities),
    }
    for db, (records, values) in tables.items():
        for page_id, wanted in values.items():
            for key in OWNED[db]:
                held = held_value(records[page_id], key)
                assert same(KINDS[key], held, getattr(wanted, key)), (db, key)
    kpis = compute_kpis(snapshot, computed, rules, world.schema.rules.kpis)
    from notion_crm.sync.formatting import kpi_json_value

    assert story.report.kpis == {k: kpi_json_value(v) for k, v in kpis.items()}


def _check_model(story: Story) -> None:
    for page_id in story.opps:
        stamped = story.model.stamped.get(page_id, {})
        for key in STAMPS.values():
            held = story.w.value(page_id, "opportunities", key)
            assert held == stamped.get(key), (page_id, key)
    stage_names = {
        v: k
        for k, v in story.w.binding.database("opportunities")
        .properties["stage"]
        .options.items()
    }
    for page_id, stages in story.model.transitions.items():
        recorded = [
            stage_names.get(t.to_stage or "")
            for t in story.w.store.transitions(page_id)
        ]
        assert recorded == stages, page_id


def _play(steps: list[Action], *, trash: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        world = World(Path(folder))
        try:
            story = Story(world)
            for step in steps:
                story.act(step)
            if trash:
                story.cycle(full=True)
                _check_values(story, world.store_last_changes())
            else:
                story.cycle()
                _check_values(story, story.model.last_change)
                _check_model(story)
        finally:
            world.close()


RUN = settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@RUN
@given(st.lists(actions, min_size=1, max_size=25))
def test_random_edits_match_a_recomputation(steps: list[Action]) -> None:
    _play(steps, trash=False)


@RUN
@given(st.lists(trash_actions, min_size=1, max_size=25))
def test_random_edits_with_trash_closed_by_a_full_reconcile(
    steps: list[Action],
) -> None:
    _play(steps, trash=True)


@pytest.mark.slow
@settings(RUN, max_examples=200)
@given(st.lists(trash_actions, min_size=1, max_size=60))
def test_random_edits_with_trash_long_run(steps: list[Action]) -> None:
    _play(steps, trash=True)


@pytest.mark.slow
@settings(RUN, max_examples=200)
@given(st.lists(actions, min_size=1, max_size=60))
def test_random_edits_long_run(steps: list[Action]) -> None:
    _play(steps, trash=False)
