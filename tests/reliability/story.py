"""The contract's story (§6) played on a :class:`~tests.world.World`, faults or not.

Provisioning, the sample loaded by a person, then each step of
:data:`~notion_crm.demo.story.STORY`, with up to three sync cycles after each round
of edits: a cycle that fails is followed by the next, as the daemon's next tick
would. Waits cost nothing: the gateway runs on a fake monotonic clock whose
``sleep`` moves it, so Retry-After and backoff are obeyed without real time passing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from notion_crm.demo.sample import build_sample, load_sample
from notion_crm.demo.story import STORY, StoryContext
from notion_crm.emulator import persistence
from notion_crm.errors import CRMError
from notion_crm.notion.gateway import GatewayConfig, NotionGateway
from tests.reliability.snapshot import Snapshot, snapshot_text
from tests.world import BASE_URL, TOKEN, World

FAULTS = (
    "429:0.1,500:0.05,502:0.05,502html:0.02,503:0.05,504:0.05,409:0.03,"
    "timeout:0.02,reset:0.02,502applied:0.02,timeoutapplied:0.02,529:0.02"
)
"""The fault mix of issue 6, on the integration's requests only."""

PROVISION_TRIES = 5
CYCLES_PER_ROUND = 3


class FakeTime:
    """A monotonic clock that only ``sleep`` moves; records every wait."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += max(0.0, seconds)


@dataclass
class StoryRun:
    """What one play of the story left behind."""

    snapshot: Snapshot
    failures: list[tuple[str, str]] = field(default_factory=list)
    """(round, first line of the error) for each provision run or cycle that failed."""
    attempts: int = 0
    retries: int = 0
    rate_limited: int = 0
    faults_injected: int = 0
    waits_s: float = 0.0


def fault_world(tmp_path: Path, *, faults: str, seed: int) -> tuple[World, FakeTime]:
    """A :class:`World` whose gateway sleeps on fake time, with seeded jitter."""
    world = World(tmp_path, faults=faults, seed=seed)
    world.gateway.close()
    fake = FakeTime()
    world.gateway = NotionGateway(
        TOKEN,
        GatewayConfig(base_url=BASE_URL, pace_rps=0),
        transport=world.transport,
        clock=world.clock,
        sleep=fake.sleep,
        monotonic=fake.monotonic,
        rng=random.Random(seed),
    )
    return world, fake


def play_story(tmp_path: Path, *, faults: str = "", seed: int = 0) -> StoryRun:
    """Provision, load the sample, replay the story; snapshot the workspace."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    world, fake = fault_world(tmp_path, faults=faults, seed=seed)
    failures: list[tuple[str, str]] = []
    try:
        for _ in range(PROVISION_TRIES):
            try:
                world.provision()
                break
            except CRMError as exc:
                failures.append(("provision", exc.message))
        today = world.clock.today()
        handles = load_sample(
            world.person, world.binding, build_sample(today), locale="en"
        )
        _cycles(world, "loaded", failures)
        context = StoryContext(
            client=world.person,
            binding=world.binding,
            handles=handles,
            locale="en",
            today=today,
        )
        for step in STORY:
            step.apply(context)
            _cycles(world, step.key, failures)
        stats = world.gateway.stats.snapshot()
        return StoryRun(
            snapshot=snapshot_text(persistence.dump_text(world.emulator.store)),
            failures=failures,
            attempts=sum(stats["by_method"].values()),
            retries=stats["retries"],
            rate_limited=stats["rate_limited"],
            faults_injected=_faults_injected(world),
            waits_s=sum(fake.waits),
        )
    finally:
        world.close()


def _cycles(world: World, round_: str, failures: list[tuple[str, str]]) -> None:
    for _ in range(CYCLES_PER_ROUND):
        try:
            world.cycle()
            return
        except CRMError as exc:
            failures.append((round_, exc.message))


def _faults_injected(world: World) -> int:
    return sum(
        row["count"]
        for row in world.emulator.stats()["requests"]
        if row["caller"] == "integration" and row["status"] != 200
    )
