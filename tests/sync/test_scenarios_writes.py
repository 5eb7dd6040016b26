"""Writes: owned properties only, trash, pending work, reconcile (F21, F22...)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx

from notion_crm.sync.dashboard import AS_OF_KEY
from notion_crm.sync.history import stage_history
from notion_crm.sync.writes import OWNED
from tests.world import World, error_response


def _patch_to(page_id: str, request: httpx.Request) -> bool:
    return request.method == "PATCH" and page_id.replace("-", "") in (
        request.url.path.replace("-", "")
    )


def test_f21_opportunity_trashed_between_read_and_write(crm: World) -> None:
    company = crm.create("companies", "Verrerie Aubry")
    keep = crm.create(
        "opportunities", "Keep", company=[company], stage="quote_sent", amount=1000
    )
    gone = crm.create(
        "opportunities", "Gone", company=[company], stage="quote_to_send", amount=5000
    )
    crm.cycle()
    crm.clock.advance(minutes=2)
    crm.edit(gone, "opportunities", stage="quote_sent")

    def trash_first(request: httpx.Request) -> None:
        if _patch_to(gone, request):
            crm.trash(gone)  # a person, just before the engine's PATCH lands

    crm.hooked.hooks.append(trash_first)
    crm.clock.advance(minutes=1)
    report = crm.cycle()
    # Skipped, never restored, left out: potential revenue is Keep's €1,000 only.
    assert crm.page(gone)["in_trash"] is True
    assert crm.value(company, "companies", "potential_revenue") == 1000
    assert report.kpis["pending_pipeline"] == 1000
    assert report.kpis["quotes_in_discussion"] == 1
    assert gone not in crm.mirror("opportunities")
    assert keep in crm.mirror("opportunities")
    # Each page at most once per cycle; the company's only PATCH has the €1,000.
    paths = [path for path, _body in crm.patches()]
    assert sum(company.replace("-", "") in p.replace("-", "") for p in paths) == 1
    crm.hooked.hooks.clear()
    crm.reset_counts()
    crm.clock.advance(minutes=1)
    crm.cycle()
    assert crm.writes() == 0
    assert crm.store.pending() == []


def test_f22_patch_bodies_hold_only_owned_properties(crm: World) -> None:
    company = crm.create(
        "companies", "Atelier Blanc", notes="VIP", website="https://blanc.example"
    )
    contact = crm.create("contacts", "Jo Blanc", company=[company])
    opp = crm.create(
        "opportunities",
        "Site",
        company=[company],
        contacts=[contact],
        stage="project_completed",
        amount=2000,
        notes="Keep",
    )
    crm.create(
        "interactions",
        "Call",
        date=date(2026, 3, 9),
        contacts=[contact],
        opportunity=[opp],
    )
    crm.reset_counts()
    crm.cycle()
    owned: dict[str, set[str]] = {}
    for db, keys in OWNED.items():
        extra = ("quote_sent_on", "started_on", "completed_on", "closed_on")
        wanted = keys + (extra if db == "opportunities" else ())
        owned[db] = {crm.prop_id(db, k) for k in wanted}
    allowed = set().union(*owned.values())
    page_patches = [b for p, b in crm.patches() if p.startswith("/v1/pages/")]
    assert len(page_patches) == 3
    for body in page_patches:
        assert set(body) == {"properties"}
        assert set(body["properties"]) <= allowed
    # A person's values around them are intact.
    assert crm.value(company, "companies", "notes") == "VIP"
    assert crm.value(opp, "opportunities", "contacts") == [contact]
    assert crm.value(opp, "opportunities", "completed_on") == "2026-03-10"


def test_a_stage_date_set_by_a_person_is_never_overwritten(crm: World) -> None:
    opp = crm.create("opportunities", "Logo", stage="quote_to_send")
    crm.cycle()
    crm.clock.advance(minutes=2)
    crm.edit(opp, "opportunities", stage="quote_sent", quote_sent_on=date(2026, 2, 1))
    crm.clock.advance(minutes=1)
    crm.cycle()
    assert crm.value(opp, "opportunities", "quote_sent_on") == "2026-02-01"
    crm.clock.advance(minutes=2)
    crm.edit(opp, "opportunities", stage="follow_up")
    crm.clock.advance(minutes=2)
    crm.edit(opp, "opportunities", stage="quote_sent")  # entered again
    crm.clock.advance(minutes=1)
    crm.cycle()
    assert crm.value(opp, "opportunities", "quote_sent_on") == "2026-02-01"
    # A person clears a stage date: the engine does not fill it back on its own.
    crm.edit(opp, "opportunities", quote_sent_on=None)
    crm.clock.advance(minutes=1)
    crm.cycle()
    assert crm.value(opp, "opportunities", "quote_sent_on") is None


def test_a_person_edit_of_an_owned_figure_is_put_right(crm: World) -> None:
    company = crm.create("companies", "Forge Morel")
    crm.create(
        "opportunities", "Gate", company=[company], stage="project_launched", amount=700
    )
    crm.cycle()
    crm.clock.advance(minutes=2)
    crm.edit(company, "companies", signed_revenue=1, status="former_client")
    crm.clock.advance(minutes=1)
    crm.cycle()
    assert crm.value(company, "companies", "signed_revenue") == 700
    assert crm.value(company, "companies", "status") == "Client"


def test_dry_run_reads_and_writes_nothing(crm: World) -> None:
    company = crm.create("companies", "Savonnerie Dupré")
    crm.create(
        "opportunities", "Soap", company=[company], stage="quote_sent", amount=250
    )
    crm.reset_counts()
    report = crm.cycle(dry_run=True)
    assert crm.integration_requests() == {"POST": 4}
    assert {(c.database, c.property) for c in report.changes} >= {
        ("companies", "potential_revenue"),
        ("opportunities", "quote_sent_on"),
    }
    assert report.kpis["pending_pipeline"] == 250
    assert crm.value(company, "companies", "potential_revenue") is None
    assert crm.store.transitions() == []
    real = crm.cycle()
    assert real.pages_written == 2
    # What the dry run announced is what the real cycle then wrote.
    assert (report.pages_written, report.blocks_written) == (
        real.pages_written,
        real.blocks_written,
    )
    assert crm.value(company, "companies", "potential_revenue") == 250


def test_full_reconcile_catches_trash_restore_and_edited_callouts(
    crm: World,
) -> None:
    company = crm.create("companies", "Brasserie Hugo")
    trashed = crm.create(
        "opportunities", "Beer", company=[company], stage="project_launched", amount=900
    )
    restored = crm.create(
        "opportunities",
        "Cider",
        company=[company],
        stage="project_launched",
        amount=400,
    )
    crm.cycle()
    crm.clock.advance(minutes=2)
    crm.trash(restored)
    crm.clock.advance(minutes=1)
    crm.cycle(full=True)
    assert crm.value(company, "companies", "signed_revenue") == 900
    crm.clock.advance(minutes=2)
    crm.trash(trashed)
    crm.trash(restored, trashed=False)
    callout = crm.binding.callouts["signed_revenue"]
    crm.person.blocks.update(
        block_id=callout,
        callout={"rich_text": [{"type": "text", "text": {"content": "hacked"}}]},
    )
    as_of = crm.store.published()[AS_OF_KEY]
    crm.clock.advance(minutes=1)
    crm.reset_counts()
    report = crm.cycle(full=True)
    # Beer trashed, Cider back: signed revenue €400, one running project.
    assert crm.value(company, "companies", "signed_revenue") == 400
    assert report.kpis["signed_revenue"] == 400
    assert report.kpis["projects_running"] == 1
    assert trashed not in crm.mirror("opportunities")
    block = crm.person.blocks.retrieve(block_id=callout)
    text = "".join(t["plain_text"] for t in block["callout"]["rich_text"])
    assert text == "Signed revenue\n€400"
    assert crm.store.published()[AS_OF_KEY] != as_of  # a figure moved
    # A later full reconcile puts right a callout only; "figures as of" stays.
    crm.person.blocks.update(
        block_id=callout,
        callout={"rich_text": [{"type": "text", "text": {"content": "again"}}]},
    )
    as_of = crm.store.published()[AS_OF_KEY]
    crm.reset_counts()
    crm.clock.advance(minutes=5)
    crm.cycle(full=True)
    assert crm.requests_by_path()["PATCH /v1/blocks/{id}"] == 1
    assert crm.store.published()[AS_OF_KEY] == as_of


def test_a_refused_write_is_pending_and_retried_at_full_reconcile(
    crm: World,
) -> None:
    company = crm.create("companies", "Chocolaterie Paon")
    opp = crm.create(
        "opportunities", "Box", company=[company], stage="follow_up", amount=800
    )
    crm.cycle()
    crm.clock.advance(minutes=2)
    crm.edit(opp, "opportunities", stage="project_launched")

    def refuse(request: httpx.Request) -> httpx.Response | None:
        if _patch_to(opp, request):
            return error_response(
                request, 400, "validation_error", "Started on is not valid."
            )
        return None

    crm.hooked.hooks.append(refuse)
    crm.clock.advance(minutes=1)
    report = crm.cycle()
    pending = crm.store.pending()
    assert [(p.page_id, p.property) for p in pending] == [(opp, "started_on")]
    assert report.pending == 1
    # The rest went on: the company is a client with €800 signed.
    assert crm.value(company, "companies", "signed_revenue") == 800
    assert crm.value(company, "companies", "status") == "Client"
    # The cursor was not held back: the query at 09:03:00, less 10 s, floored.
    cursor = crm.store.cursors()["opportunities"].since
    assert cursor == datetime(2026, 3, 10, 9, 2, tzinfo=UTC)
    crm.hooked.hooks.clear()
    crm.reset_counts()
    crm.clock.advance(minutes=30)
    crm.cycle()
    assert crm.writes() == 0  # incremental: not retried
    crm.clock.advance(hours=1)
    crm.cycle(full=True)
    # Retried with the date of the transition seen at 09:02 UTC: 10 March.
    assert crm.value(opp, "opportunities", "started_on") == "2026-03-10"
    assert crm.store.pending() == []


def test_history_gives_each_stage_and_its_time(crm: World) -> None:
    opp = crm.create("opportunities", "Catalogue", stage="contact_initiated")
    crm.clock.advance(minutes=2)
    crm.cycle()
    crm.clock.set(datetime(2026, 3, 11, 10, 0, tzinfo=UTC))
    crm.edit(opp, "opportunities", stage="quote_sent")
    crm.clock.advance(minutes=1)
    crm.cycle()
    crm.clock.set(datetime(2026, 3, 14, 16, 30, tzinfo=UTC))
    crm.edit(opp, "opportunities", stage="project_launched")
    crm.clock.advance(minutes=1)
    crm.cycle()
    stays = stage_history(crm.store, opp, now=crm.clock() + timedelta(days=2))
    assert [s.stage_name for s in stays] == [
        "Contact initiated",
        "Quote sent",
        "Project launched",
    ]
    # Created 10 March 09:00; quote sent 11 March 10:00 (1 d 1 h); launched
    # 14 March 16:30 (3 d 6 h 30 min); launched until 16 March 16:31, the cycle's
    # time plus two days (2 d 0 h 01 min, current).
    assert [s.duration_text for s in stays] == [
        "1 d 1 h 00 min",
        "3 d 6 h 30 min",
        "2 d 0 h 01 min (current)",
    ]


def test_f20_after_a_conflict_a_person_set_stage_date_stays(crm: World) -> None:
    company = crm.create("companies", "Tapisserie Lemoine")
    deal = crm.create(
        "opportunities",
        "Armchairs",
        company=[company],
        stage="quote_to_send",
        amount=900,
    )
    crm.cycle()
    crm.clock.advance(minutes=2)
    crm.edit(deal, "opportunities", stage="quote_sent")
    conflicts: list[str] = []
    quote_sent_on = crm.prop_id("opportunities", "quote_sent_on")

    def person_edits_then_conflict(request: httpx.Request) -> httpx.Response | None:
        if _patch_to(deal, request) and not conflicts:
            # A person types the date the quote really left, while the engine's
            # own write is in flight: Notion answers the engine 409.
            crm.person.pages.update(
                deal, properties={quote_sent_on: {"date": {"start": "2026-03-02"}}}
            )
            conflicts.append(request.url.path)
            return error_response(
                request,
                409,
                "conflict_error",
                "Conflict occurred while saving. Please try again.",
            )
        return None

    crm.hooked.hooks.append(person_edits_then_conflict)
    crm.clock.advance(minutes=1)
    crm.cycle()

    assert conflicts  # the engine's first write did meet the conflict
    assert crm.value(deal, "opportunities", "quote_sent_on") == "2026-03-02"
    assert crm.value(company, "companies", "potential_revenue") == 900
    bodies = [
        b for p, b in crm.patches() if deal.replace("-", "") in p.replace("-", "")
    ]
    # The stamp it first tried met the conflict; after the re-read nothing of the
    # deal was due any more, so it was not written again.
    assert len(bodies) == 1
    assert quote_sent_on in bodies[0]["properties"]
