"""The contract's story (section 6), end to end, against values worked out by hand.

The sample is loaded and the story replayed as a person would in Notion's UI (the
emulator's person token); a sync cycle runs after each step, as the daemon would.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from notion_crm.demo.sample import SampleHandles, build_sample, load_sample
from notion_crm.demo.story import EXPECTED_KPIS, REFUSED, STORY, StoryContext
from tests.world import MovableClock, World

# 10:00 in Paris on a Thursday in winter (UTC+1).
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
TODAY = "2026-12-03"


@pytest.fixture
def story_world(world: World, clock: MovableClock) -> tuple[World, SampleHandles]:
    clock.set(NOW)
    world.provision("en")
    handles = load_sample(
        world.person, world.binding, build_sample(clock.today()), locale="en"
    )
    return world, handles


def play(
    world: World, handles: SampleHandles, until: str, start: str = "company"
) -> None:
    """Apply the story's steps from ``start`` to ``until``, a cycle after each."""
    context = StoryContext(
        client=world.person,
        binding=world.binding,
        handles=handles,
        locale="en",
        today=world.clock.today(),
    )
    keys = [step.key for step in STORY]
    for step in STORY[keys.index(start) : keys.index(until) + 1]:
        step.apply(context)
        world.clock.advance(minutes=5)
        report = world.cycle()
        assert report.kpis == pytest.approx(EXPECTED_KPIS[step.key]), step.key


def test_first_cycle_after_loading_gives_the_hand_worked_kpis(
    story_world: tuple[World, SampleHandles],
) -> None:
    world, _ = story_world

    report = world.cycle()

    assert report.kpis == pytest.approx(EXPECTED_KPIS["loaded"])
    assert report.transitions == []  # a cold start stamps and records nothing


def test_each_step_of_the_story_moves_the_kpis_as_worked_out(
    story_world: tuple[World, SampleHandles],
) -> None:
    world, handles = story_world
    world.cycle()

    play(world, handles, until="refused")


def test_quote_sent_stamps_the_date_and_launch_makes_a_client(
    story_world: tuple[World, SampleHandles],
) -> None:
    world, handles = story_world
    world.cycle()

    play(world, handles, until="quote_sent")
    opportunity = handles.opportunities["ravenel_catalogue"]
    company = handles.companies["ravenel"]
    assert world.value(opportunity, "opportunities", "quote_sent_on") == TODAY
    assert world.value(company, "companies", "potential_revenue") == 4800
    assert world.value(company, "companies", "status") == "Prospect"
    # The discovery call was logged today: the company's and contact's last
    # interaction is today, and nothing is planned.
    assert world.value(company, "companies", "last_interaction") == TODAY
    assert world.value(company, "companies", "next_interaction") is None
    contact = handles.contacts["elise"]
    assert world.value(contact, "contacts", "last_interaction") == TODAY

    play(world, handles, until="project_launched", start="project_launched")
    assert world.value(opportunity, "opportunities", "started_on") == TODAY
    assert world.value(company, "companies", "status") == "Client"
    assert world.value(company, "companies", "active_projects") == 1
    assert world.value(company, "companies", "signed_revenue") == 4800
    assert world.value(company, "companies", "potential_revenue") == 0


def test_refusing_stamps_closed_on_and_clears_the_follow_up(
    story_world: tuple[World, SampleHandles],
) -> None:
    world, handles = story_world
    world.cycle()
    refused = handles.opportunities[REFUSED]
    assert world.value(refused, "opportunities", "needs_follow_up") is True

    play(world, handles, until="refused")

    assert world.value(refused, "opportunities", "closed_on") == TODAY
    assert world.value(refused, "opportunities", "needs_follow_up") is False
    costevane = handles.companies["costevane"]
    # Its completed catalogue (2,900 €) stays signed; the stand no longer pends.
    assert world.value(costevane, "companies", "potential_revenue") == 0
    assert world.value(costevane, "companies", "signed_revenue") == 2900


def test_callouts_show_the_figures_in_place(
    story_world: tuple[World, SampleHandles],
) -> None:
    world, handles = story_world
    world.cycle()
    callouts = dict(world.binding.callouts)

    play(world, handles, until="refused")

    assert world.binding.callouts == callouts  # updated in place, never recreated
    texts = {}
    for key, block_id in callouts.items():
        block = world.person.blocks.retrieve(block_id)
        texts[key] = "".join(t["plain_text"] for t in block["callout"]["rich_text"])
    assert texts["conversion_rate"] == "Conversion rate\n63%"  # 5/8 = 62.5 → 63
    assert texts["signed_revenue"] == "Signed revenue\n€21,300"
    assert texts["pending_pipeline"] == "Pending pipeline\n€32,050"
    assert texts["follow_ups_due"] == "Follow-ups due\n3"


def test_a_second_cycle_with_no_edit_writes_nothing(
    story_world: tuple[World, SampleHandles],
) -> None:
    world, _ = story_world
    world.cycle()
    world.clock.advance(minutes=5)
    world.emulator.reset_stats()

    report = world.cycle()

    assert report.pages_written == 0 and report.blocks_written == 0
    assert world.integration_requests() == {"POST": 4}
