"""Truncation, pagination, text and numbers (F6 to F8, F13, F15, F16), dates ahead.

Each value asserted is worked out by hand in a comment next to it.
"""

from __future__ import annotations

import unicodedata
from datetime import timedelta
from typing import Any

from tests.world import World


def _settle(world: World) -> None:
    """Let the poll window leave the minutes edited so far."""
    world.clock.advance(minutes=2)
    world.cycle()
    world.clock.advance(minutes=2)


def _launched(world: World, company: str, count: int, amount: int) -> list[str]:
    return [
        world.create(
            "opportunities",
            f"Project {i}",
            company=[company],
            stage="project_launched",
            amount=amount,
        )
        for i in range(count)
    ]


def test_f6_company_with_30_opportunities_counts_all_30(crm: World) -> None:
    company = crm.create("companies", "Menuiserie Costevane")
    _launched(crm, company, 30, 150)
    relation = crm.page(company)["properties"]["Opportunities"]
    assert len(relation["relation"]) == 25 and relation["has_more"] is True
    crm.cycle()
    # 30 won_active opportunities of €150: 30 projects, 30 × 150 = €4,500.
    assert crm.value(company, "companies", "active_projects") == 30
    assert crm.value(company, "companies", "signed_revenue") == 4500
    assert crm.engine.cycle().kpis["projects_running"] == 30


def test_f6_thirty_linked_from_the_company_side_are_all_followed(crm: World) -> None:
    company = crm.create("companies", "Café des Halles")
    opps = [
        crm.create("opportunities", f"Quote {i}", stage="quote_sent", amount=100)
        for i in range(30)
    ]
    crm.cycle()
    crm.clock.advance(minutes=2)
    crm.cycle()  # the poll window has now left the minute the 30 were created in
    # A person links the 30 from the company's page: only the company's
    # last_edited_time moves, so the engine must read the 30 again itself.
    crm.edit(company, "companies", opportunities=opps)
    crm.reset_counts()
    crm.clock.advance(minutes=1)
    crm.cycle()
    assert crm.page(opps[0])["last_edited_time"] == "2026-03-10T09:00:00.000Z"
    # 30 proposals of €100: potential revenue 30 × 100 = €3,000.
    assert crm.value(company, "companies", "potential_revenue") == 3000
    paths = crm.requests_by_path()
    assert paths["GET /v1/pages/{id}"] == 30
    # The company's own list is past the 25-item cut: read whole once.
    assert paths["GET /v1/pages/{id}/properties/{property_id}"] == 1


def test_f7_no_figure_comes_from_a_rollup(crm: World) -> None:
    company = crm.create("companies", "Studio Ardoise")
    _launched(crm, company, 34, 10)
    relation_id = crm.prop_id("companies", "opportunities")
    crm.update_schema(
        "companies",
        {
            "Deal count": {
                "rollup": {
                    "relation_property_id": relation_id,
                    "rollup_property_id": "title",
                    "function": "count",
                }
            }
        },
    )
    page = crm.page(company)
    assert page["properties"]["Deal count"]["rollup"]["number"] == 25  # the cut
    crm.reset_counts()
    crm.cycle()
    # 34 launched projects of €10: 34 and €340, never the rollup's 25.
    assert crm.value(company, "companies", "active_projects") == 34
    assert crm.value(company, "companies", "signed_revenue") == 340
    paths = crm.requests_by_path()
    # The engine asks only for its own properties: a person's new one costs no
    # schema read at all.
    assert "GET /v1/data_sources/{id}" not in paths
    crm.edit(company, "companies", notes="Rollup added by a person")
    crm.reset_counts()
    crm.clock.advance(minutes=1)
    crm.cycle()
    assert "GET /v1/data_sources/{id}" not in crm.requests_by_path()


def test_f8_101_rows_read_100_at_a_time(crm: World) -> None:
    for i in range(101):
        crm.create("opportunities", f"Lead {i:03}", stage="contact_initiated")
    crm.reset_counts()
    report = crm.cycle(full=True)
    # 101 leads: all active; the opportunities query took two pages of results.
    assert report.kpis["active_opportunities"] == 101
    assert len(crm.mirror("opportunities")) == 101
    queries = [
        body
        for method, path, body in crm.hooked.sent
        if method == "POST" and path.endswith("/query")
    ]
    source = crm.binding.database("opportunities").data_source_id
    opp_queries = [b for m, p, b in crm.hooked.sent if m == "POST" and source in p]
    assert len(queries) == 5 and len(opp_queries) == 2


def _segments() -> list[dict[str, Any]]:
    return [
        {"type": "text", "text": {"content": "Boulangerie "}},
        {
            "type": "text",
            "text": {"content": "Martin"},
            "annotations": {"bold": True},
        },
        {"type": "text", "text": {"content": " & fils"}},
    ]


def test_f13_titles_of_several_segments_and_empty_titles(crm: World) -> None:
    title_id = crm.prop_id("opportunities", "name")
    source = crm.binding.database("opportunities").data_source_id
    page = crm.person.pages.create(
        parent={"type": "data_source_id", "data_source_id": source},
        properties={
            title_id: {"title": _segments()},
            crm.prop_id("opportunities", "stage"): {
                "select": {"id": crm.option_id("opportunities", "stage", "quote_sent")}
            },
        },
    )
    empty = crm.person.pages.create(
        parent={"type": "data_source_id", "data_source_id": source},
        properties={title_id: {"title": []}},
    )
    crm.clock.advance(minutes=1)
    report = crm.cycle()
    names = {t.page_id: t.page_name for t in report.transitions}
    assert names[str(page["id"])] == "Boulangerie Martin & fils"
    assert crm.mirror("opportunities")[str(empty["id"])].name == "Untitled"


def test_f15_an_empty_amount_adds_nothing_and_zero_is_zero(crm: World) -> None:
    company = crm.create("companies", "Atelier Vernier")
    crm.create("opportunities", "Empty", company=[company], stage="quote_sent")
    crm.create("opportunities", "Zero", company=[company], stage="follow_up", amount=0)
    crm.create(
        "opportunities",
        "Won",
        company=[company],
        stage="project_completed",
        amount=1500,
    )
    crm.create(
        "opportunities", "Won empty", company=[company], stage="project_launched"
    )
    report = crm.cycle()
    # Proposals: empty + 0 = €0 (written as 0, not left empty). Won: 1500 + empty.
    assert crm.value(company, "companies", "potential_revenue") == 0
    assert crm.value(company, "companies", "signed_revenue") == 1500
    assert report.kpis["pending_pipeline"] == 0
    assert report.kpis["signed_revenue"] == 1500
    # won = 2, lost = 0: 2 / 2 = 100 %.
    assert report.kpis["conversion_rate"] == 100.0


def test_f16_decomposed_labels_change_nothing(world: World) -> None:
    world.provision("fr")
    world.cycle()
    stage = world.prop_id("opportunities", "stage")
    sent = world.option_id("opportunities", "stage", "quote_sent")
    options = world.schema_of("opportunities")["properties"]["Statut"]["select"][
        "options"
    ]
    renamed = [
        {"id": o["id"], "name": unicodedata.normalize("NFD", o["name"])}
        for o in options
    ]
    world.update_schema("opportunities", {stage: {"select": {"options": renamed}}})
    due = world.prop_id("opportunities", "due_date")
    world.update_schema(
        "opportunities", {due: {"name": unicodedata.normalize("NFD", "Échéance")}}
    )
    opp = world.create("opportunities", "Vitrine", stage="quote_to_send")
    world.cycle()
    world.clock.advance(minutes=2)
    world.person.pages.update(opp, properties={stage: {"select": {"id": sent}}})
    world.reset_counts()
    world.clock.advance(minutes=1)
    report = world.cycle()
    # Matched by option id; NFC-equal names are no rename, so no schema read.
    assert [t.to_stage for t in report.transitions] == ["Devis envoyé"]
    assert world.value(opp, "opportunities", "quote_sent_on") == "2026-03-10"
    assert "GET /v1/data_sources/{id}" not in world.requests_by_path()


def test_interaction_in_the_future_is_next_not_last(crm: World) -> None:
    today = crm.clock.today()  # 2026-03-10 in Paris
    company = crm.create("companies", "Librairie Orme")
    contact = crm.create("contacts", "Anne Orme", company=[company])
    opp = crm.create(
        "opportunities", "Shelves", company=[company], stage="quote_sent", amount=700
    )
    crm.create(
        "interactions",
        "Call",
        date=today - timedelta(days=3),
        contacts=[contact],
        opportunity=[opp],
    )
    crm.create(
        "interactions",
        "Visit",
        date=today + timedelta(days=4),
        company=[company],
        opportunity=[opp],
    )
    crm.create(
        "interactions", "Lunch", date=today + timedelta(days=9), contacts=[contact]
    )
    crm.cycle()
    # Last: the call, 7 March (through the contact for the company). Next: the
    # visit, 14 March (the lunch on the 19th is later). Never a future Last.
    assert crm.value(company, "companies", "last_interaction") == "2026-03-07"
    assert crm.value(company, "companies", "next_interaction") == "2026-03-14"
    assert crm.value(contact, "contacts", "last_interaction") == "2026-03-07"
    assert crm.value(opp, "opportunities", "last_interaction") == "2026-03-07"


def test_relation_edited_from_the_company_side_is_followed(crm: World) -> None:
    acme = crm.create("companies", "Acme")
    bravo = crm.create("companies", "Bravo")
    opp = crm.create(
        "opportunities", "Sign", company=[acme], stage="project_launched", amount=800
    )
    crm.cycle()
    assert crm.value(acme, "companies", "signed_revenue") == 800
    _settle(crm)
    # A person moves the deal from Acme's page: removes it there, adds it on Bravo.
    crm.edit(acme, "companies", opportunities=[])
    crm.edit(bravo, "companies", opportunities=[opp])
    crm.clock.advance(minutes=1)
    crm.cycle()
    assert crm.value(acme, "companies", "signed_revenue") == 0
    assert crm.value(acme, "companies", "status") == "Prospect"
    assert crm.value(bravo, "companies", "signed_revenue") == 800
    assert crm.value(bravo, "companies", "status") == "Client"


def test_relation_edited_from_the_interaction_side_moves_last_interaction(
    crm: World,
) -> None:
    opp = crm.create("opportunities", "Mural", stage="quote_sent")
    call = crm.create("interactions", "Call", date="2026-03-08")
    crm.cycle()
    _settle(crm)
    crm.edit(opp, "opportunities", interactions=[call])  # from the many side
    crm.clock.advance(minutes=1)
    crm.cycle()
    assert crm.value(opp, "opportunities", "last_interaction") == "2026-03-08"
    _settle(crm)
    crm.edit(opp, "opportunities", interactions=[])
    crm.clock.advance(minutes=1)
    crm.cycle()
    assert crm.value(opp, "opportunities", "last_interaction") is None
