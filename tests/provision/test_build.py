"""Provisioning builds exactly the contract's workspace, in both locales."""

from __future__ import annotations

from typing import Any

import pytest

from tests.provision.contract_tables import (
    DASHBOARD_TITLE,
    EURO,
    KEYS,
    KPI_LABELS,
    NAMES,
    PAIRS,
    STAGES,
    STATUSES,
    TYPES,
    TYPES_OPTIONS,
    VIEWS,
)
from tests.world import World


def data_source(world: World, key: str) -> dict[str, Any]:
    source = world.binding.database(key).data_source_id
    return dict(world.person.data_sources.retrieve(source))


def by_name(source: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return dict(source["properties"])


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_provision_builds_every_property_of_the_contract(
    world: World, locale: str
) -> None:
    world.provision(locale)  # type: ignore[arg-type]

    titles = list(NAMES[locale])
    for index, key in enumerate(KEYS):
        source = data_source(world, key)
        props = by_name(source)
        expected = NAMES[locale][titles[index]]
        assert sorted(props) == sorted(expected), key
        for position, name in enumerate(expected):
            assert props[name]["type"] == TYPES[key][position], (key, name)
            if (key, position) in EURO:
                assert props[name]["number"]["format"] == "euro"
        database = world.person.databases.retrieve(
            world.binding.database(key).database_id
        )
        assert database["title"][0]["plain_text"] == titles[index]
        description = "".join(t["plain_text"] for t in database["description"])
        assert description.startswith(f"notion-crm:{key}")
        assert len(database["data_sources"]) == 1


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_provision_builds_options_in_order(world: World, locale: str) -> None:
    world.provision(locale)  # type: ignore[arg-type]

    opportunities = by_name(data_source(world, "opportunities"))
    stage = opportunities[NAMES[locale][list(NAMES[locale])[2]][3]]
    assert [o["name"] for o in stage["select"]["options"]] == STAGES[locale]
    companies = by_name(data_source(world, "companies"))
    status = companies[NAMES[locale][next(iter(NAMES[locale]))][1]]
    assert [o["name"] for o in status["select"]["options"]] == STATUSES[locale]
    interactions = by_name(data_source(world, "interactions"))
    kind = interactions["Type"]
    assert [o["name"] for o in kind["select"]["options"]] == TYPES_OPTIONS[locale]


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_every_relation_is_one_two_way_pair_with_both_names(
    world: World, locale: str
) -> None:
    world.provision(locale)  # type: ignore[arg-type]

    titles = list(NAMES[locale])
    sources = {key: data_source(world, key) for key in KEYS}
    for (left_db, left_i), (right_db, right_i) in PAIRS:
        left_name = NAMES[locale][titles[KEYS.index(left_db)]][left_i]
        right_name = NAMES[locale][titles[KEYS.index(right_db)]][right_i]
        left = sources[left_db]["properties"][left_name]["relation"]
        right = sources[right_db]["properties"][right_name]["relation"]
        assert left["type"] == "dual_property"
        assert left["data_source_id"] == sources[right_db]["id"]
        assert right["data_source_id"] == sources[left_db]["id"]
        assert left["dual_property"]["synced_property_name"] == right_name
        assert right["dual_property"]["synced_property_name"] == left_name
    every_name = [n for s in sources.values() for n in s["properties"]]
    assert not [n for n in every_name if n.startswith("Related to")]


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_provision_builds_every_view(world: World, locale: str) -> None:
    world.provision(locale)  # type: ignore[arg-type]

    for key in KEYS:
        database_id = world.binding.database(key).database_id
        refs = world.person.views.list(database_id=database_id)["results"]
        views = [world.person.views.retrieve(r["id"]) for r in refs]
        assert {v["name"]: v["type"] for v in views} == VIEWS[locale][key]
    opportunities = world.binding.database("opportunities")
    stage_id = opportunities.properties["stage"].id
    pipeline = world.person.views.retrieve(opportunities.views["pipeline"])
    assert pipeline["configuration"]["group_by"]["property_id"] == stage_id
    open_deals = world.person.views.retrieve(opportunities.views["open_deals"])
    shown = [c["select"]["equals"] for c in open_deals["filter"]["or"]]
    assert shown == STAGES[locale][:5]
    archive = world.person.views.retrieve(opportunities.views["archive"])
    assert [c["select"]["equals"] for c in archive["filter"]["or"]] == [
        STAGES[locale][6],
        STAGES[locale][7],
    ]
    follow = world.person.views.retrieve(opportunities.views["follow_ups"])
    assert follow["filter"]["checkbox"] == {"equals": True}
    log = world.person.views.retrieve(
        world.binding.database("interactions").views["log"]
    )
    assert log["sorts"][0]["direction"] == "descending"


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_dashboard_has_links_callouts_as_of_and_help(world: World, locale: str) -> None:
    world.provision(locale)  # type: ignore[arg-type]

    dashboard = world.binding.dashboard_page_id
    assert dashboard is not None
    page = world.person.pages.retrieve(dashboard)
    title = page["properties"]["title"]["title"][0]["plain_text"]
    assert title == DASHBOARD_TITLE[locale]
    children = world.person.blocks.children.list(dashboard)["results"]
    kinds = [c["type"] for c in children]
    links = [
        c["link_to_page"]["database_id"]
        for c in children
        if c["type"] == "link_to_page"
    ]
    assert links == [world.binding.database(k).database_id for k in KEYS]
    assert "column_list" in kinds and "bulleted_list_item" in kinds
    labels = []
    for block_id in world.binding.callouts.values():
        block = world.person.blocks.retrieve(block_id)
        labels.append(block["callout"]["rich_text"][0]["plain_text"].split("\n")[0])
    assert sorted(labels) == sorted(KPI_LABELS[locale])
    assert world.binding.as_of_block_id is not None


def test_second_provision_sends_no_create_update_or_delete(world: World) -> None:
    world.provision("en")
    world.emulator.reset_stats()

    result = world.provision("en")

    counts = world.integration_requests()
    assert set(counts) == {"GET"}
    assert result.created == [] and result.repaired == []


def test_provision_stays_under_80_requests(world: World) -> None:
    world.provision("en")

    assert sum(world.integration_requests().values()) < 80
