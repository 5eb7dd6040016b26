"""Request economy on the sample data, and the contract's story (§6).

An idle incremental cycle costs one query per data source and no write; a single
stage change costs at most one read per data source, one PATCH per page whose owned
values change, one per callout whose text changes and one for "figures as of".
"""

from __future__ import annotations

from notion_crm.demo.sample import SampleHandles, build_sample, load_sample, set_stage
from notion_crm.demo.story import STORY, StoryContext, expected_story_values
from tests.world import World

QUERY = "POST /v1/data_sources/{id}/query"
PAGE_PATCH = "PATCH /v1/pages/{id}"
BLOCK_PATCH = "PATCH /v1/blocks/{id}"


def _sample(world: World) -> SampleHandles:
    """Provision, load the sample, then the first (cold) cycle, as the demo does."""
    world.provision("en")
    today = world.clock.today()
    handles = load_sample(world.person, world.binding, build_sample(today), locale="en")
    world.clock.advance(minutes=1)
    world.cycle()
    return handles


def _quiet(world: World) -> None:
    """Let the poll window leave the minutes of earlier edits and writes."""
    for _ in range(2):
        world.clock.advance(minutes=2)
        world.cycle()


def test_idle_cycle_is_one_query_per_data_source(world: World) -> None:
    _sample(world)
    _quiet(world)
    for _ in range(3):
        world.reset_counts()
        world.clock.advance(seconds=30)
        report = world.cycle()
        assert world.requests_by_path() == {QUERY: 4}
        assert report.pages_written == 0 and report.blocks_written == 0


def test_idle_cycles_right_after_writes_still_write_nothing(world: World) -> None:
    _sample(world)  # the first cycle wrote every figure of the sample
    world.reset_counts()
    world.clock.advance(seconds=20)
    world.cycle()
    # The pages just written come back in the overlap window: read, not written.
    assert world.requests_by_path() == {QUERY: 4}


def test_one_stage_change_costs_reads_plus_changed_values_only(world: World) -> None:
    handles = _sample(world)
    _quiet(world)
    refused = handles.opportunities["costevane_stand"]
    set_stage(world.person, world.binding, refused, "refused")
    world.reset_counts()
    world.clock.advance(seconds=30)
    report = world.cycle()
    paths = world.requests_by_path()
    changed_pages = {c.page_id for c in report.changes}
    assert paths[QUERY] == 4
    assert paths[PAGE_PATCH] == len(changed_pages) == report.pages_written
    # Callouts whose text changed, plus "figures as of".
    assert paths[BLOCK_PATCH] == report.blocks_written
    assert set(paths) == {QUERY, PAGE_PATCH, BLOCK_PATCH}
    # Refusing Home fair stand: Closed on is stamped and the follow-up cleared on
    # it, the company loses €5,400 potential; 5 callouts (active, quotes,
    # pipeline, conversion, follow-ups) and the "figures as of" line.
    assert paths[PAGE_PATCH] == 2
    assert paths[BLOCK_PATCH] == 6


def test_the_contract_story_gives_the_expected_figures(world: World) -> None:
    handles = _sample(world)
    expected = expected_story_values(world.clock.today())
    assert world.cycle().kpis == expected["loaded"]
    context = StoryContext(
        client=world.person,
        binding=world.binding,
        handles=handles,
        locale="en",
        today=world.clock.today(),
    )
    for step in STORY:
        step.apply(context)
        world.clock.advance(seconds=30)
        report = world.cycle()
        assert report.kpis == expected[step.key], step.key
    catalogue = handles.opportunities["ravenel_catalogue"]
    assert world.value(catalogue, "opportunities", "quote_sent_on") == "2026-03-10"
    assert world.value(catalogue, "opportunities", "started_on") == "2026-03-10"
    ravenel = handles.companies["ravenel"]
    assert world.value(ravenel, "companies", "status") == "Client"
    assert world.value(ravenel, "companies", "signed_revenue") == 4800
