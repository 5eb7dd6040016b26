"""map() and map_settled(): order, concurrency, errors, shared state."""

from __future__ import annotations

import threading

import pytest
from gateway_fakes import FakeNotion, FakeTime, make_gateway, ok

from notion_crm.errors import AccessError
from notion_crm.notion.gateway import NotionGateway


def test_map_returns_results_in_input_order(gateway: NotionGateway) -> None:
    assert gateway.map(lambda n: n * n, range(20)) == [n * n for n in range(20)]


def test_map_runs_items_concurrently(gateway: NotionGateway) -> None:
    # Item 0 can only finish once item 1 has started: it proves two at once.
    second_started = threading.Event()

    def work(n: int) -> bool:
        if n == 1:
            second_started.set()
            return True
        return second_started.wait(timeout=5)

    assert gateway.map(work, [0, 1]) == [True, True]


def test_map_uses_at_most_the_configured_workers(
    notion: FakeNotion, fake_time: FakeTime
) -> None:
    gw = make_gateway(notion, fake_time, workers=2)
    names: set[str] = set()
    lock = threading.Lock()

    def work(n: int) -> int:
        with lock:
            names.add(threading.current_thread().name)
        return n

    gw.map(work, range(50))
    gw.close()

    assert 1 <= len(names) <= 2


def test_map_raises_the_first_error_after_every_item_ran(
    gateway: NotionGateway,
) -> None:
    done: list[int] = []
    lock = threading.Lock()

    def work(n: int) -> int:
        if n in (3, 7):
            raise KeyError(n)
        with lock:
            done.append(n)
        return n

    with pytest.raises(KeyError) as caught:
        gateway.map(work, range(10))

    assert caught.value.args == (3,)
    assert sorted(done) == [0, 1, 2, 4, 5, 6, 8, 9]


def test_map_settled_pairs_items_with_results_or_errors(
    gateway: NotionGateway, notion: FakeNotion
) -> None:
    notion.on("GET", "/v1/pages/a", ok({"object": "page", "id": "a"}))

    settled = gateway.map_settled(gateway.retrieve_page, ["a", "missing"])

    assert settled[0] == ("a", {"object": "page", "id": "a", "request_id": "req-ok"})
    assert settled[1][0] == "missing"
    assert isinstance(settled[1][1], AccessError)


def test_nested_map_runs_inline_instead_of_deadlocking(
    notion: FakeNotion, fake_time: FakeTime
) -> None:
    gw = make_gateway(notion, fake_time, workers=1)

    result = gw.map(lambda n: gw.map(lambda m: n * 10 + m, range(3)), range(3))
    gw.close()

    assert result == [[0, 1, 2], [10, 11, 12], [20, 21, 22]]


def test_workers_share_the_counters(gateway: NotionGateway, notion: FakeNotion) -> None:
    for i in range(12):
        notion.on("GET", f"/v1/pages/p{i}", ok({"object": "page", "id": f"p{i}"}))

    pages = gateway.map(gateway.retrieve_page, [f"p{i}" for i in range(12)])

    assert [p["id"] for p in pages] == [f"p{i}" for i in range(12)]
    assert gateway.stats.by_method["GET"] == 12
