"""A provisioning run stopped at any request, then run again, builds exactly one CRM.

The stop is a process death simulated in the transport: after the k-th request the
transport raises an exception nothing catches, either before the request reaches the
emulator (not applied) or after it was applied (the answer is lost). The next run, with
the same state store, must finish the job with no duplicate; so must a run whose state
store was lost, and runs under Notion's "applied, then failed" answers.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from notion_crm.provision.apply import Provisioner
from notion_crm.store.state import StateStore
from tests.provision.snapshot import count_objects, workspace
from tests.world import World


class Killed(BaseException):
    """The process died here."""


class DyingTransport(httpx.BaseTransport):
    """Forwards requests and dies at the k-th, before or after applying it."""

    def __init__(self, inner: httpx.BaseTransport, die_at: int, applied: bool) -> None:
        self.inner = inner
        self.die_at = die_at
        self.applied = applied
        self.seen = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.seen += 1
        if self.seen == self.die_at and not self.applied:
            raise Killed
        response = self.inner.handle_request(request)
        if self.seen == self.die_at:
            raise Killed
        return response


def reference(tmp_path: Path) -> tuple[dict, int]:  # type: ignore[type-arg]
    world = World(tmp_path / "reference")
    try:
        world.provision("en")
        total = sum(world.integration_requests().values())
        return workspace(world.person, world.emulator.root_page_id), total
    finally:
        world.close()


EXPECTED_COUNTS = {"child_page": 1, "child_database": 4, "callout": 9, "column_list": 1}


def run_killed(world: World, die_at: int, applied: bool) -> None:
    from notion_crm.notion.gateway import GatewayConfig, NotionGateway

    dying = DyingTransport(world.transport, die_at, applied)
    gateway = NotionGateway(
        "secret_emulator",
        GatewayConfig(base_url="http://emulator.local", pace_rps=0),
        transport=dying,
        sleep=lambda _s: None,
    )
    provisioner = Provisioner(gateway, world.store, world.schema, "en")
    with pytest.raises(Killed):
        provisioner.run(world.emulator.root_page_id)
    gateway.close()


def test_a_run_killed_at_any_request_then_rerun_builds_one_crm(tmp_path: Path) -> None:
    expected, total = reference(tmp_path)
    assert count_objects(expected) == EXPECTED_COUNTS

    for die_at in range(1, total + 1):
        for applied in (False, True):
            world = World(tmp_path / f"k{die_at}-{applied}")
            try:
                run_killed(world, die_at, applied)
                world.provision("en")
                got = workspace(world.person, world.emulator.root_page_id)
                assert got == expected, (die_at, applied)
                world.emulator.reset_stats()
                world.provision("en")
                assert set(world.integration_requests()) == {"GET"}, (die_at, applied)
            finally:
                world.close()


def test_a_lost_state_store_finds_the_crm_and_creates_nothing(world: World) -> None:
    world.provision("en")
    before = workspace(world.person, world.emulator.root_page_id)
    world.store.close()
    (world.tmp_path / "state.db").unlink()
    world.store = StateStore(world.tmp_path / "fresh.db")
    world.emulator.reset_stats()

    result = world.provision("en")

    assert set(world.integration_requests()) == {"GET"}
    assert result.created == []
    assert workspace(world.person, world.emulator.root_page_id) == before
    assert len(world.binding.callouts) == 9
    assert set(world.binding.databases) == {
        "companies",
        "contacts",
        "opportunities",
        "interactions",
    }


@pytest.mark.parametrize("fault", ["502applied", "timeoutapplied", "502", "timeout"])
def test_applied_then_failed_answers_never_duplicate(
    tmp_path: Path, fault: str
) -> None:
    expected, _ = reference(tmp_path)
    world = World(tmp_path / fault, faults=f"{fault}:0.3", seed=7)
    try:
        world.provision("en")
        world.emulator.set_faults("", seed=0)
        got = workspace(world.person, world.emulator.root_page_id)
        assert count_objects(got) == EXPECTED_COUNTS
        assert got == expected
    finally:
        world.close()
