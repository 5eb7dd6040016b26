"""Schema drift seen in what queries return (F17, F26, F27)."""

from __future__ import annotations

import logging

import pytest

from tests.world import World

SCHEMA_READ = "GET /v1/data_sources/{id}"


def test_f17_stage_and_property_renamed_sync_goes_on_by_id(
    crm: World, caplog: pytest.LogCaptureFixture
) -> None:
    company = crm.create("companies", "Poterie Lenoir")
    opp = crm.create(
        "opportunities", "Vases", company=[company], stage="quote_sent", amount=450
    )
    crm.cycle()
    stage = crm.prop_id("opportunities", "stage")
    follow_up = crm.option_id("opportunities", "stage", "follow_up")
    options = crm.schema_of("opportunities")["properties"]["Stage"]["select"]["options"]
    renamed = [
        {"id": o["id"], "name": "Chase" if o["id"] == follow_up else o["name"]}
        for o in options
    ]
    crm.update_schema("opportunities", {stage: {"name": "Step"}})
    crm.update_schema("opportunities", {stage: {"select": {"options": renamed}}})
    crm.clock.advance(minutes=2)
    crm.edit(opp, "opportunities", stage="follow_up")
    crm.reset_counts()
    crm.clock.advance(minutes=1)
    with caplog.at_level(logging.INFO):
        report = crm.cycle()
    # The query shows "Step" where "Stage" was: one schema read, the rename logged.
    assert crm.requests_by_path()[SCHEMA_READ] == 1
    assert "renamed in Notion from 'Stage' to 'Step'" in caplog.text
    assert [t.to_stage for t in report.transitions] == ["Follow-up"]
    assert crm.binding.database("opportunities").properties["stage"].name == "Step"
    # Follow-up is still a proposal: €450 potential.
    assert crm.value(company, "companies", "potential_revenue") == 450
    crm.edit(opp, "opportunities", stage="project_launched")
    crm.reset_counts()
    crm.clock.advance(minutes=1)
    crm.cycle()
    assert SCHEMA_READ not in crm.requests_by_path()
    assert crm.value(opp, "opportunities", "started_on") == "2026-03-10"
    assert crm.value(company, "companies", "signed_revenue") == 450


def test_f26_a_second_data_source_changes_nothing(crm: World) -> None:
    company = crm.create("companies", "Épicerie Nova")
    crm.create(
        "opportunities",
        "Shelf",
        company=[company],
        stage="project_launched",
        amount=300,
    )
    crm.cycle()
    database = crm.binding.database("opportunities").database_id
    other = crm.person.data_sources.create(
        parent={"type": "database_id", "database_id": database},
        title=[{"type": "text", "text": {"content": "Archive 2019"}}],
        properties={"Name": {"title": {}}, "Amount": {"number": {}}},
    )
    crm.person.pages.create(
        parent={"type": "data_source_id", "data_source_id": other["id"]},
        properties={
            "Name": {"title": [{"text": {"content": "Old"}}]},
            "Amount": {"number": 99999},
        },
    )
    crm.clock.advance(minutes=1)
    report = crm.cycle(full=True)
    # Only the bound data source counts: €300, one running project.
    assert report.kpis["signed_revenue"] == 300
    assert report.kpis["projects_running"] == 1
    assert crm.binding.database("opportunities").data_source_id != other["id"]


def test_f27_a_deleted_stage_date_stops_its_writes_only(
    crm: World, caplog: pytest.LogCaptureFixture
) -> None:
    company = crm.create("companies", "Tapisserie Roy")
    opp = crm.create(
        "opportunities",
        "Armchair",
        company=[company],
        stage="quote_to_send",
        amount=1200,
    )
    crm.cycle()
    quote_sent_on = crm.prop_id("opportunities", "quote_sent_on")
    crm.update_schema("opportunities", {quote_sent_on: None})
    crm.clock.advance(minutes=2)
    crm.edit(opp, "opportunities", stage="quote_sent")
    crm.reset_counts()
    crm.clock.advance(minutes=1)
    with caplog.at_level(logging.WARNING):
        report = crm.cycle()
    assert crm.requests_by_path()[SCHEMA_READ] == 1
    assert any("quote_sent_on is missing" in w for w in report.warnings)
    assert "quote_sent_on is missing" in caplog.text
    bodies = [body for _path, body in crm.patches()]
    assert all(quote_sent_on not in body.get("properties", {}) for body in bodies)
    # The rest of the cycle goes on: the proposal's €1,200 is potential revenue.
    assert crm.value(company, "companies", "potential_revenue") == 1200
    crm.edit(opp, "opportunities", amount=1300)
    crm.reset_counts()
    crm.clock.advance(minutes=1)
    again = crm.cycle()
    assert SCHEMA_READ not in crm.requests_by_path()
    assert again.warnings == []
    assert crm.value(company, "companies", "potential_revenue") == 1300


def test_a_property_people_add_costs_no_schema_read(crm: World) -> None:
    opp = crm.create("opportunities", "Sign", stage="to_contact")
    crm.cycle()
    crm.update_schema("opportunities", {"Priority": {"checkbox": {}}})
    crm.edit(opp, "opportunities", stage="quote_to_send")
    crm.reset_counts()
    crm.clock.advance(minutes=1)
    crm.cycle()
    # Queries ask only for the engine's own properties: the new one never shows.
    assert SCHEMA_READ not in crm.requests_by_path()
    for _ in range(2):
        crm.edit(opp, "opportunities", amount=10)
        crm.reset_counts()
        crm.clock.advance(minutes=1)
        crm.cycle()
        assert SCHEMA_READ not in crm.requests_by_path()


def test_a_retyped_property_is_reported_once_not_read_every_cycle(
    crm: World,
) -> None:
    opp = crm.create("opportunities", "Sign", stage="to_contact")
    crm.cycle()
    due = crm.prop_id("opportunities", "due_date")
    crm.update_schema("opportunities", {due: {"rich_text": {}}})
    crm.edit(opp, "opportunities", stage="quote_to_send")
    crm.reset_counts()
    crm.clock.advance(minutes=1)
    report = crm.cycle()
    assert any("due_date is a rich_text" in w for w in report.warnings)
    crm.edit(opp, "opportunities", amount=10)
    crm.reset_counts()
    crm.clock.advance(minutes=1)
    crm.cycle()
    assert SCHEMA_READ not in crm.requests_by_path()


def test_an_unknown_stage_option_reads_the_schema_and_counts_nowhere(
    crm: World,
) -> None:
    stage = crm.prop_id("opportunities", "stage")
    opp = crm.create("opportunities", "Sign", stage="quote_sent", amount=500)
    crm.cycle()
    crm.clock.advance(minutes=1)
    # A person types a new stage "On hold" (a select write by name creates it).
    crm.person.pages.update(opp, properties={stage: {"select": {"name": "On hold"}}})
    crm.reset_counts()
    crm.clock.advance(minutes=1)
    report = crm.cycle()
    assert crm.requests_by_path()[SCHEMA_READ] == 1
    assert len(report.transitions) == 1
    # A stage with no role counts in no figure.
    assert report.kpis["active_opportunities"] == 0
    assert report.kpis["pending_pipeline"] == 0
