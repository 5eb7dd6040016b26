"""Shared fixtures: a fresh :class:`tests.world.World` per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.world import MovableClock, World


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def world(tmp_path: Path, clock: MovableClock) -> Iterator[World]:
    built = World(tmp_path, clock=clock)
    yield built
    built.close()


@pytest.fixture
def crm(world: World) -> World:
    """A world with the CRM provisioned (en) and a first, empty sync done."""
    world.provision("en")
    world.cycle()
    return world
