"""Change detection against minute-rounded timestamps (field reports F1 to F5).

Every test runs the real engine through notion-client against the emulator, on one
clock shared by both; the person edits as in Notion's UI.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.world import World


def _at(world: World, hh: int, mm: int, ss: int) -> None:
    world.clock.set(datetime(2026, 3, 10, hh, mm, ss, tzinfo=UTC))


def _stages(world: World, page_id: str) -> list[str | None]:
    names = {
        v: k
        for k, v in world.binding.database("opportunities")
        .properties["stage"]
        .options.items()
    }
    return [names.get(t.to_stage or "") for t in world.store.transitions(page_id)]


def test_f1_same_minute_edit_after_a_poll_is_processed_exactly_once(
    crm: World,
) -> None:
    company = crm.create("companies", "Boulangerie Martin")
    a = crm.create("opportunities", "A", company=[company], stage="to_contact")
    b = crm.create("opportunities", "B", company=[company], stage="to_contact")
    _at(crm, 9, 59, 0)
    crm.cycle()
    _at(crm, 10, 0, 10)
    crm.edit(a, "opportunities", stage="quote_sent")
    _at(crm, 10, 0, 40)
    crm.cycle()
    # B is edited at 10:00:50; Notion shows 10:00:00, the minute already polled.
    _at(crm, 10, 0, 50)
    crm.edit(b, "opportunities", stage="quote_sent")
    assert crm.page(b)["last_edited_time"] == "2026-03-10T10:00:00.000Z"
    _at(crm, 10, 1, 20)
    report = crm.cycle()
    assert [t.page_id for t in report.transitions] == [b]
    _at(crm, 10, 1, 50)
    again = crm.cycle()
    assert again.transitions == []
    assert _stages(crm, b) == ["to_contact", "quote_sent"]
    # 10:00:50 UTC is 11:00:50 in Paris: stamped 10 March.
    assert crm.value(b, "opportunities", "quote_sent_on") == "2026-03-10"


def test_f2_two_stage_changes_in_one_minute_both_seen(crm: World) -> None:
    opp = crm.create("opportunities", "Stand", stage="quote_to_send", amount=900)
    _at(crm, 9, 58, 0)
    crm.cycle()
    _at(crm, 10, 0, 5)
    crm.edit(opp, "opportunities", stage="quote_sent")
    _at(crm, 10, 0, 20)
    first = crm.cycle()
    _at(crm, 10, 0, 50)
    crm.edit(opp, "opportunities", stage="follow_up")
    # last_edited_time did not move: same minute as the poll and the stamp.
    assert crm.page(opp)["last_edited_time"] == "2026-03-10T10:00:00.000Z"
    _at(crm, 10, 1, 10)
    second = crm.cycle()
    assert [t.to_stage for t in first.transitions] == ["Quote sent"]
    assert [t.to_stage for t in second.transitions] == ["Follow-up"]
    assert _stages(crm, opp) == ["quote_to_send", "quote_sent", "follow_up"]


def test_f3_idle_cycles_at_the_cursor_write_and_stamp_nothing(crm: World) -> None:
    opp = crm.create("opportunities", "Logo", stage="quote_to_send")
    crm.cycle()
    crm.edit(opp, "opportunities", stage="quote_sent")
    crm.clock.advance(seconds=20)
    crm.cycle()
    # The newest page (edited in this minute) equals the cursor's minute.
    cursor = crm.store.cursors()["opportunities"].since
    assert cursor is not None
    assert crm.page(opp)["last_edited_time"].startswith(
        cursor.strftime("%Y-%m-%dT%H:%M")
    )
    crm.reset_counts()
    crm.clock.advance(seconds=20)
    second = crm.cycle()
    assert second.transitions == [] and second.changes == []
    assert crm.integration_requests() == {"POST": 4}
    assert len(crm.store.transitions(opp)) == 2


@pytest.mark.parametrize("fail_at", ["commit", "engine_lost"])
def test_f4_process_dies_after_reading_work_is_redone_once(
    crm: World, monkeypatch: pytest.MonkeyPatch, fail_at: str
) -> None:
    company = crm.create("companies", "Fleurs Aubin")
    opp = crm.create("opportunities", "Wedding", company=[company], stage="follow_up")
    crm.cycle()
    crm.clock.advance(minutes=5)  # 09:05 UTC
    crm.edit(opp, "opportunities", stage="project_launched", amount=2500)
    original = crm.store.commit_cycle

    def die(_commit: object) -> None:
        raise RuntimeError("killed before the commit")

    monkeypatch.setattr(crm.store, "commit_cycle", die)
    with pytest.raises(RuntimeError):
        crm.cycle()
    monkeypatch.setattr(crm.store, "commit_cycle", original)
    # The writes of the dead cycle went through; its mirror and cursor did not.
    assert crm.value(opp, "opportunities", "started_on") == "2026-03-10"
    if fail_at == "engine_lost":
        crm._engine = None
    crm.clock.advance(minutes=3)
    redo = crm.cycle()
    assert [t.to_stage for t in redo.transitions] == ["Project launched"]
    assert redo.changes == []  # the date and figures are in Notion already
    assert _stages(crm, opp) == ["follow_up", "project_launched"]
    assert crm.value(opp, "opportunities", "started_on") == "2026-03-10"
    assert crm.value(company, "companies", "signed_revenue") == 2500
    assert crm.value(company, "companies", "status") == "Client"


def test_f4_process_dies_before_its_writes_stamps_on_restart(
    crm: World,
) -> None:
    opp = crm.create("opportunities", "Menu", stage="quote_to_send")
    crm.cycle()
    crm.clock.advance(minutes=2)
    crm.edit(opp, "opportunities", stage="quote_sent")

    def no_writes(request: object) -> None:
        if getattr(request, "method", "") == "PATCH":
            raise ConnectionError("process killed")

    crm.hooked.hooks.append(no_writes)  # type: ignore[arg-type]
    with pytest.raises(ConnectionError):
        crm.cycle()
    crm.hooked.hooks.clear()
    crm._engine = None
    crm.clock.advance(minutes=1)
    crm.cycle()
    assert crm.value(opp, "opportunities", "quote_sent_on") == "2026-03-10"
    assert len(crm.store.transitions(opp)) == 2


def test_f5_own_writes_cause_no_further_writes(crm: World) -> None:
    company = crm.create("companies", "Garage Rousseau")
    crm.create(
        "opportunities", "Fleet", company=[company], stage="quote_sent", amount=3000
    )
    crm.clock.advance(seconds=30)
    writing = crm.cycle()
    assert writing.pages_written == 2  # the company's figures, the stamp
    crm.reset_counts()
    crm.clock.advance(seconds=30)
    after = crm.cycle()
    # The two pages the engine wrote come back in the poll; nothing follows.
    assert after.pages_read == 2
    assert after.pages_written == 0 and after.blocks_written == 0
    assert crm.integration_requests() == {"POST": 4}
