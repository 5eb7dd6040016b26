"""How the engine reads: only its own properties, decoded as pages arrive."""

from __future__ import annotations

import httpx

from tests.world import World, error_response


def test_queries_ask_only_for_the_engines_properties(crm: World) -> None:
    crm.create("companies", "Ferronnerie Vidal", notes="x" * 1900)
    crm.reset_counts()

    crm.cycle()

    queries = [r for r in crm.hooked.sent if r[1].endswith("/query")]
    assert len(queries) == 4
    sent = [
        request.url.params.get_list("filter_properties")
        for request in crm.hooked.requests
        if request.url.path.endswith("/query")
    ]
    notes = crm.prop_id("companies", "notes")
    assert all(ids for ids in sent)
    assert all(notes not in ids for ids in sent)


def test_a_refused_property_list_is_read_again_without_it(crm: World) -> None:
    company = crm.create("companies", "Ferronnerie Vidal")
    crm.create(
        "opportunities", "Gate", company=[company], stage="quote_sent", amount=700
    )
    refused: list[str] = []

    def refuse_property_lists(request: httpx.Request) -> httpx.Response | None:
        if request.url.params.get_list("filter_properties") and len(refused) < 4:
            refused.append(request.url.path)
            return error_response(
                request,
                400,
                "validation_error",
                "Could not find property with name or id: zzzz",
            )
        return None

    crm.hooked.hooks.append(refuse_property_lists)
    crm.clock.advance(minutes=1)
    report = crm.cycle()

    assert len(refused) == 4
    assert report.kpis["pending_pipeline"] == 700
    assert crm.value(company, "companies", "potential_revenue") == 700
