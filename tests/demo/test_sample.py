"""The sample data set, its loading through the API, the story, and the expected KPIs.

The expected figures in :data:`notion_crm.demo.story.EXPECTED_KPIS` were worked out by
hand; the recount here derives them again from ``build_sample``'s data with the rules
of product contract §3, written afresh (no engine code), so two derivations agree.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest

from notion_crm.demo.sample import (
    SampleCompany,
    SampleContact,
    SampleData,
    SampleHandles,
    build_sample,
    load_sample,
)
from notion_crm.demo.story import (
    EXPECTED_KPIS,
    REFUSED,
    STORY,
    StoryContext,
    expected_story_values,
    story_steps,
)
from notion_crm.schema.binding import Binding, DatabaseBinding, PropertyBinding
from notion_crm.schema.loader import load_schema
from notion_crm.schema.model import Schema

TODAY = date(2026, 3, 15)
KPI_KEYS = {
    "prospects",
    "active_opportunities",
    "quotes_in_discussion",
    "pending_pipeline",
    "conversion_rate",
    "projects_running",
    "projects_completed",
    "signed_revenue",
    "follow_ups_due",
}
ENGINE_OWNED = {
    "companies": {
        "status",
        "active_projects",
        "signed_revenue",
        "potential_revenue",
        "last_interaction",
        "next_interaction",
    },
    "contacts": {"last_interaction"},
    "opportunities": {"last_interaction", "needs_follow_up"},
    "interactions": set(),
}


@pytest.fixture(scope="module")
def schema() -> Schema:
    return load_schema()


@pytest.fixture(scope="module")
def roles(schema: Schema) -> dict[str, str | None]:
    return {option.key: option.role for option in schema.stage.options}


@pytest.fixture
def sample() -> SampleData:
    return build_sample(TODAY)


# --- The data ----------------------------------------------------------------------
def test_build_sample_is_deterministic() -> None:
    assert build_sample(TODAY) == build_sample(TODAY)


def test_build_sample_has_the_contract_sizes(sample: SampleData) -> None:
    assert len(sample.companies) == 12
    assert len(sample.contacts) == 25
    assert len(sample.opportunities) == 20
    assert len(sample.interactions) == 40


def test_build_sample_covers_every_stage_and_type(
    sample: SampleData, schema: Schema
) -> None:
    stages = {option.key for option in schema.stage.options}
    types = schema.workspace.database("interactions").properties["type"].options

    assert {o.stage for o in sample.opportunities} == stages
    assert {i.kind for i in sample.interactions} == {option.key for option in types}


def test_build_sample_references_resolve(sample: SampleData) -> None:
    companies = {c.key for c in sample.companies}
    contact_company = {c.key: c.company for c in sample.contacts}
    opportunity_company = {o.key: o.company for o in sample.opportunities}

    assert set(contact_company.values()) <= companies
    for opportunity in sample.opportunities:
        assert opportunity.company in companies
        assert {contact_company[k] for k in opportunity.contacts} == {
            opportunity.company
        }
    for interaction in sample.interactions:
        assert {contact_company[k] for k in interaction.contacts} == {
            interaction.company
        }
        if interaction.opportunity is not None:
            assert opportunity_company[interaction.opportunity] == interaction.company


def test_build_sample_keys_and_names_are_unique(sample: SampleData) -> None:
    keys = sample.keys()
    groups: list[list[str]] = [
        [c.name for c in sample.companies],
        [c.name for c in sample.contacts],
        *([o.name(loc) for o in sample.opportunities] for loc in ("en", "fr")),
        *([i.name(loc) for i in sample.interactions] for loc in ("en", "fr")),
    ]

    assert len(keys) == len(set(keys)) == 97
    for names in groups:
        assert len(names) == len(set(names))


def test_build_sample_dates_move_with_today(sample: SampleData) -> None:
    later = build_sample(TODAY + timedelta(days=40))
    shift = timedelta(days=40)

    for before, after in zip(sample.interactions, later.interactions, strict=True):
        assert after.on - before.on == shift
    for old, new in zip(sample.opportunities, later.opportunities, strict=True):
        old_dates = {**old.stage_dates(), "due": old.due_date}
        new_dates = {**new.stage_dates(), "due": new.due_date}
        for key, value in old_dates.items():
            moved = new_dates[key]
            assert (value is None and moved is None) or (
                value is not None and moved is not None and moved - value == shift
            )


def test_build_sample_has_the_cases_the_demo_shows(sample: SampleData) -> None:
    ages = [(TODAY - i.on).days for i in sample.interactions]
    with_deals = {o.company for o in sample.opportunities}

    assert any(age < 0 for age in ages), "some interactions are planned"
    assert any(age > 7 for age in ages), "some interactions are old"
    assert any(o.amount is None for o in sample.opportunities)
    assert any(
        o.completed_on is not None and (TODAY - o.completed_on).days > 365
        for o in sample.opportunities
    )
    assert [c.key for c in sample.companies if c.key not in with_deals] == ["lachenaud"]


def test_build_sample_fills_stage_dates_of_passed_stages(
    sample: SampleData, roles: dict[str, str | None]
) -> None:
    needed = {
        "lead": set(),
        "quoting": set(),
        "proposal": {"quote_sent_on"},
        "won_active": {"quote_sent_on", "started_on"},
        "won_done": {"quote_sent_on", "started_on", "completed_on"},
        "lost": {"quote_sent_on", "closed_on"},
    }
    for opportunity in sample.opportunities:
        role = roles[opportunity.stage]
        assert role is not None
        assert set(opportunity.stage_dates()) == needed[role], opportunity.key
        assert all(d <= TODAY for d in opportunity.stage_dates().values())


def test_build_sample_uses_only_fictional_contact_details(sample: SampleData) -> None:
    fiction_phone = re.compile(r"^\+33 (1 99 00|6 39 98) \d\d \d\d$")
    rows: list[SampleCompany | SampleContact] = [*sample.companies, *sample.contacts]

    for row in rows:
        assert row.email.endswith(".example")
        assert fiction_phone.match(row.phone), row.phone
    for company in sample.companies:
        assert company.website.endswith(".example")


def test_interaction_date_start_keeps_the_day_in_paris(sample: SampleData) -> None:
    timed = [i for i in sample.interactions if i.at is not None]
    plain = [i for i in sample.interactions if i.at is None]

    assert timed and plain
    for interaction in timed:
        start = interaction.date_start()
        assert start.startswith(interaction.on.isoformat() + "T")
        assert start.endswith(("+01:00", "+02:00"))
    assert plain[0].date_start() == plain[0].on.isoformat()


# --- An independent recount of the KPIs ---------------------------------------------
@dataclass
class Deal:
    """An opportunity as the recount sees it."""

    key: str
    company: str
    stage: str
    amount: int | None
    dates: dict[str, date] = field(default_factory=dict)
    last_change: date | None = None


@dataclass
class World:
    """Companies, deals and interaction dates by deal, as a recount needs them."""

    companies: list[str]
    deals: list[Deal]
    touches: dict[str, list[date]]


def world_of(sample: SampleData) -> World:
    touches: dict[str, list[date]] = {}
    for interaction in sample.interactions:
        if interaction.opportunity:
            touches.setdefault(interaction.opportunity, []).append(interaction.on)
    deals = [
        Deal(o.key, o.company, o.stage, o.amount, dict(o.stage_dates()))
        for o in sample.opportunities
    ]
    return World([c.key for c in sample.companies], deals, touches)


def recount(world: World, roles: dict[str, str | None]) -> dict[str, object]:
    def role(deal: Deal) -> str | None:
        return roles[deal.stage]

    def status(company: str) -> str:
        won = [d for d in world.deals if d.company == company and role(d) in WON]
        for deal in won:
            done = deal.dates.get("completed_on")
            if role(deal) == "won_active" or done is None or (TODAY - done).days <= 365:
                return "client"
        return "former_client" if won else "prospect"

    def due(deal: Deal) -> bool:
        past = [d for d in world.touches.get(deal.key, []) if d <= TODAY]
        change = deal.last_change or max(deal.dates.values(), default=TODAY)
        recent = [d for d in [*past, change] if (TODAY - d).days <= 7]
        return role(deal) == "proposal" and not recent

    def amount(roles_in: set[str]) -> int:
        return sum(d.amount or 0 for d in world.deals if role(d) in roles_in)

    def count(roles_in: set[str]) -> int:
        return sum(1 for d in world.deals if role(d) in roles_in)

    won, lost = count(WON), count({"lost"})
    return {
        "prospects": sum(status(c) == "prospect" for c in world.companies),
        "active_opportunities": count({"lead", "quoting", "proposal"}),
        "quotes_in_discussion": count({"proposal"}),
        "pending_pipeline": amount({"proposal"}),
        "conversion_rate": None if won + lost == 0 else 100 * won / (won + lost),
        "projects_running": count({"won_active"}),
        "projects_completed": count({"won_done"}),
        "signed_revenue": amount(WON),
        "follow_ups_due": sum(due(d) for d in world.deals),
    }


WON = {"won_active", "won_done"}
STAMPS = {
    "quote_sent": "quote_sent_on",
    "project_launched": "started_on",
    "project_completed": "completed_on",
    "refused": "closed_on",
}


def move(world: World, key: str, stage: str) -> None:
    deal = next(d for d in world.deals if d.key == key)
    deal.stage = stage
    deal.last_change = TODAY
    if stage in STAMPS:
        deal.dates.setdefault(STAMPS[stage], TODAY)


def assert_same(actual: dict[str, object], expected: dict[str, object]) -> None:
    assert actual.keys() == expected.keys()
    for key, value in expected.items():
        if isinstance(value, float):
            assert actual[key] == pytest.approx(value), key
        else:
            assert actual[key] == value, key


def test_expected_kpis_cover_loaded_and_every_step() -> None:
    assert list(EXPECTED_KPIS) == ["loaded", *(step.key for step in STORY)]
    for values in EXPECTED_KPIS.values():
        assert set(values) == KPI_KEYS
    assert expected_story_values(TODAY) == EXPECTED_KPIS


def test_expected_kpis_loaded_match_a_recount(
    sample: SampleData, roles: dict[str, str | None]
) -> None:
    assert_same(recount(world_of(sample), roles), dict(EXPECTED_KPIS["loaded"]))


def test_expected_kpis_of_each_step_match_a_replayed_recount(
    sample: SampleData, roles: dict[str, str | None]
) -> None:
    world = world_of(sample)
    edits: dict[str, Callable[[], None]] = {
        "company": lambda: world.companies.append("ravenel"),
        "contact": lambda: None,
        "discovery_call": lambda: None,
        "opportunity": lambda: world.deals.append(
            Deal("new", "ravenel", "contact_initiated", 4800, last_change=TODAY)
        ),
        "quote_to_send": lambda: move(world, "new", "quote_to_send"),
        "quote_sent": lambda: move(world, "new", "quote_sent"),
        "project_launched": lambda: move(world, "new", "project_launched"),
        "refused": lambda: move(world, REFUSED, "refused"),
    }
    assert [step.key for step in story_steps()] == list(edits)

    for key, edit in edits.items():
        edit()
        assert_same(recount(world, roles), dict(EXPECTED_KPIS[key]))


def test_refused_step_takes_a_due_follow_up(
    sample: SampleData, roles: dict[str, str | None]
) -> None:
    refused = sample.opportunity(REFUSED)

    assert roles[refused.stage] == "proposal"
    assert EXPECTED_KPIS["refused"]["conversion_rate"] == 62.5


# --- Loading through a recording client --------------------------------------------
class FakePages:
    """Records page creates and updates; answers with made-up page ids."""

    def __init__(self) -> None:
        self.created: list[dict[str, Any]] = []
        self.updated: list[tuple[str, dict[str, Any]]] = []

    def create(self, **kwargs: Any) -> dict[str, Any]:
        self.created.append(kwargs)
        return {"object": "page", "id": f"page-{len(self.created):03d}"}

    def update(self, page_id: str, **kwargs: Any) -> dict[str, Any]:
        self.updated.append((page_id, kwargs))
        return {"object": "page", "id": page_id}


class FakeClient:
    """Stands in for ``notion_client.Client``: only ``pages`` is used."""

    def __init__(self) -> None:
        self.pages = FakePages()


def bind(schema: Schema) -> Binding:
    databases = {
        db_key: DatabaseBinding(
            database_id=f"db-{db_key}",
            data_source_id=f"ds-{db_key}",
            properties={
                key: PropertyBinding(
                    id=f"{db_key}:{key}",
                    name=prop.name("en"),
                    type=prop.type,
                    options={o.key: f"opt-{o.key}" for o in prop.options},
                )
                for key, prop in db.properties.items()
            },
        )
        for db_key, db in schema.workspace.databases.items()
    }
    return Binding(databases=databases)


def test_load_sample_creates_every_page_in_order(
    sample: SampleData, schema: Schema
) -> None:
    client = FakeClient()

    handles = load_sample(client, bind(schema), sample, locale="en")

    parents = [c["parent"]["data_source_id"] for c in client.pages.created]
    sizes = {"ds-companies": 12, "ds-contacts": 25, "ds-opportunities": 20}
    expected = [ds for ds, n in sizes.items() for _ in range(n)]
    assert parents == [*expected, *["ds-interactions"] * 40]
    assert all(c["parent"]["type"] == "data_source_id" for c in client.pages.created)
    assert list(handles.all()) == sample.keys()
    assert len(set(handles.all().values())) == 97


def test_load_sample_writes_by_id_and_leaves_engine_values_alone(
    sample: SampleData, schema: Schema
) -> None:
    client = FakeClient()
    load_sample(client, bind(schema), sample, locale="fr")

    for call in client.pages.created:
        db_key = call["parent"]["data_source_id"].removeprefix("ds-")
        written = {prop_id.split(":", 1)[1] for prop_id in call["properties"]}
        assert all(prop_id.startswith(f"{db_key}:") for prop_id in call["properties"])
        assert not written & ENGINE_OWNED[db_key]
        assert "name" in written


def test_load_sample_write_shapes(sample: SampleData, schema: Schema) -> None:
    client = FakeClient()
    handles = load_sample(client, bind(schema), sample, locale="fr")
    by_id = {page_id: key for key, page_id in handles.all().items()}
    created = dict(zip(sample.keys(), client.pages.created, strict=True))

    window = created["martelot_window"]["properties"]
    assert window["opportunities:name"] == {
        "title": [{"type": "text", "text": {"content": "Vitrine et enseigne"}}]
    }
    assert window["opportunities:stage"] == {"select": {"id": "opt-project_launched"}}
    assert window["opportunities:amount"] == {"number": 6200}
    assert window["opportunities:started_on"] == {"date": {"start": "2026-02-23"}}
    assert [by_id[r["id"]] for r in window["opportunities:company"]["relation"]] == [
        "martelot"
    ]
    assert "opportunities:amount" not in created["clemence_loyalty"]["properties"]

    call = created["martelot_3"]["properties"]
    assert call["interactions:type"] == {"select": {"id": "opt-meeting"}}
    assert call["interactions:date"] == {"date": {"start": "2026-02-23T09:30:00+01:00"}}
    assert [by_id[r["id"]] for r in call["interactions:contacts"]["relation"]] == [
        "helene",
        "julien",
    ]
    assert [by_id[r["id"]] for r in call["interactions:opportunity"]["relation"]] == [
        "martelot_window"
    ]


# --- The story through a recording client -------------------------------------------
def test_story_creates_then_moves_pages(sample: SampleData, schema: Schema) -> None:
    client = FakeClient()
    binding = bind(schema)
    handles = load_sample(client, binding, sample, locale="en")
    context = StoryContext(client, binding, handles, "en", TODAY)

    for step in STORY:
        step.apply(context)

    assert len(client.pages.created) == 97 + 4
    new = handles.opportunities["ravenel_catalogue"]
    stages = [
        (page_id, props["properties"]["opportunities:stage"]["select"]["id"])
        for page_id, props in client.pages.updated
    ]
    assert stages == [
        (new, "opt-quote_to_send"),
        (new, "opt-quote_sent"),
        (new, "opt-project_launched"),
        (handles.opportunities[REFUSED], "opt-refused"),
    ]
    call = client.pages.created[-2]["properties"]
    assert call["interactions:date"] == {"date": {"start": TODAY.isoformat()}}


def test_story_steps_have_titles_in_both_locales() -> None:
    for step in story_steps():
        assert step.title("en") and step.title("fr")
        assert step.title("en") != step.title("fr")


def test_sample_handles_find_any_key() -> None:
    handles = SampleHandles(companies={"a": "1"}, interactions={"b": "2"})

    assert handles.page_id("b") == "2"
    assert handles.all() == {"a": "1", "b": "2"}
