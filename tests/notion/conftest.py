from __future__ import annotations

from collections.abc import Iterator

import pytest
from gateway_fakes import FakeNotion, FakeTime, make_gateway

from notion_crm.notion.gateway import NotionGateway


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def notion(fake_time: FakeTime) -> FakeNotion:
    return FakeNotion(fake_time)


@pytest.fixture
def gateway(notion: FakeNotion, fake_time: FakeTime) -> Iterator[NotionGateway]:
    gw = make_gateway(notion, fake_time)
    yield gw
    gw.close()
