"""Fixtures: an emulator on a frozen clock and notion-client wired to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from notion_client import Client

from notion_crm.emulator import Emulator

from .helpers import make_client, make_emulator


@pytest.fixture
def emu() -> Emulator:
    return make_emulator()[0]


@pytest.fixture
def client(emu: Emulator) -> Iterator[Client]:
    api = make_client(emu)
    yield api
    api.close()


@pytest.fixture
def person(emu: Emulator) -> Iterator[Client]:
    api = make_client(emu, "person_emulator")
    yield api
    api.close()
