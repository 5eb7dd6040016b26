"""Time zones and time passing (F14, daily re-evaluation, Former client)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.world import World


def _start(world: World, moment: datetime) -> None:
    """Provision and run the first (cold) cycle an hour before ``moment``."""
    world.clock.set(moment - timedelta(hours=1))
    world.provision("en")
    world.cycle()


@pytest.mark.parametrize(
    ("edited_utc", "paris_date"),
    [
        # Winter, CET (UTC+1): 23:30 UTC is 00:30 the next day in Paris.
        (datetime(2026, 1, 15, 23, 30, tzinfo=UTC), "2026-01-16"),
        # Summer, CEST (UTC+2): 22:30 UTC is 00:30 the next day.
        (datetime(2026, 7, 15, 22, 30, tzinfo=UTC), "2026-07-16"),
        # 29 March 2026, clocks go forward at 02:00 CET: 00:30 is still CET.
        (datetime(2026, 3, 28, 23, 30, tzinfo=UTC), "2026-03-29"),
        # The day after, CEST: 22:30 UTC on the 29th is 00:30 on the 30th.
        (datetime(2026, 3, 29, 22, 30, tzinfo=UTC), "2026-03-30"),
        # 25 October 2026, clocks go back at 03:00 CEST: 00:30 is still CEST.
        (datetime(2026, 10, 24, 22, 30, tzinfo=UTC), "2026-10-25"),
        # The day after, CET again: 23:30 UTC on the 25th is 00:30 on the 26th.
        (datetime(2026, 10, 25, 23, 30, tzinfo=UTC), "2026-10-26"),
        # And 23:59 UTC on 25 October is 00:59 CET on the 26th, not the 25th.
        (datetime(2026, 10, 25, 23, 59, tzinfo=UTC), "2026-10-26"),
    ],
)
def test_f14_stage_dates_are_paris_dates(
    world: World, edited_utc: datetime, paris_date: str
) -> None:
    _start(world, edited_utc)
    opp = world.create("opportunities", "Night deal", stage="follow_up")
    world.clock.set(edited_utc - timedelta(minutes=30))
    world.cycle()
    world.clock.set(edited_utc)
    world.edit(opp, "opportunities", stage="refused")
    world.clock.advance(seconds=40)
    world.cycle()
    assert world.value(opp, "opportunities", "closed_on") == paris_date


def test_daily_reevaluation_with_no_edit_and_no_extra_read(world: World) -> None:
    # Tuesday 10 March 2026, 22:00 UTC = 23:00 in Paris.
    _start(world, datetime(2026, 3, 10, 22, 0, tzinfo=UTC))
    company = world.create("companies", "Cave Lemaire")
    old_client = world.create("companies", "Imprimerie Vasseur")
    world.create(
        "opportunities",
        "Done long ago",
        company=[old_client],
        stage="project_completed",
        amount=1000,
        completed_on=date(2025, 3, 11),
    )
    quote = world.create(
        "opportunities",
        "Labels",
        company=[company],
        stage="quote_sent",
        amount=600,
        quote_sent_on=date(2026, 3, 4),
    )
    world.create(
        "interactions",
        "Tasting",
        date=date(2026, 3, 11),
        company=[company],
        opportunity=[quote],
    )
    world.create("interactions", "Call", date=date(2026, 3, 3), opportunity=[quote])
    world.cycle()
    # 10 March (Paris): the tasting on the 11th is Next; Last is the 3 March call.
    # The quote changed stage on the 10th (the cycle saw it created in Quote sent):
    # within 7 days, no follow-up. Completed on 2025-03-11 is 364 days ago: Client.
    assert world.value(company, "companies", "next_interaction") == "2026-03-11"
    assert world.value(company, "companies", "last_interaction") == "2026-03-03"
    assert world.value(old_client, "companies", "status") == "Client"
    world.clock.advance(minutes=10)
    world.cycle()
    world.reset_counts()
    # 23:30 UTC = 00:30 on 11 March in Paris: the first cycle of a new day.
    world.clock.set(datetime(2026, 3, 10, 23, 30, tzinfo=UTC))
    report = world.cycle()
    # The tasting is today: it becomes Last and nothing is Next. Completion is now
    # 365 days ago, still within 365: Client stays.
    assert world.value(company, "companies", "last_interaction") == "2026-03-11"
    assert world.value(company, "companies", "next_interaction") is None
    assert world.value(quote, "opportunities", "last_interaction") == "2026-03-11"
    assert world.value(old_client, "companies", "status") == "Client"
    assert world.requests_by_path() == {
        "POST /v1/data_sources/{id}/query": 4,
        "PATCH /v1/pages/{id}": 2,  # the company, the quote
    }
    assert report.transitions == []
    # 12 March in Paris: 366 days since completion: Former client.
    world.clock.set(datetime(2026, 3, 11, 23, 30, tzinfo=UTC))
    world.cycle()
    assert world.value(old_client, "companies", "status") == "Former client"


def test_needs_follow_up_turns_on_with_time_alone(world: World) -> None:
    _start(world, datetime(2026, 3, 10, 9, 0, tzinfo=UTC))
    quote = world.create("opportunities", "Sign", stage="quote_to_send")
    world.cycle()
    world.clock.advance(minutes=5)
    world.edit(quote, "opportunities", stage="quote_sent")  # 10 March
    world.clock.advance(minutes=1)
    world.cycle()
    # Last stage change 10 March; 17 March is 7 days later: still within.
    world.clock.set(datetime(2026, 3, 17, 9, 0, tzinfo=UTC))
    world.cycle()
    assert world.value(quote, "opportunities", "needs_follow_up") is False
    world.reset_counts()
    # 18 March: 8 days, no interaction: follow-up due.
    world.clock.set(datetime(2026, 3, 18, 9, 0, tzinfo=UTC))
    report = world.cycle()
    assert world.value(quote, "opportunities", "needs_follow_up") is True
    assert report.kpis["follow_ups_due"] == 1
    # One read per data source, the page, the Follow-ups callout, "figures as of".
    assert world.integration_requests() == {"POST": 4, "PATCH": 3}
