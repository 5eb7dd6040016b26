"""Pagination: F8 repeated cursors, F9 invalid cursors, F10 the 10,000 cap."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from gateway_fakes import START, FakeNotion, FakeTime, error, listing, ok, page
from hypothesis import given, settings
from hypothesis import strategies as st

from notion_crm.errors import InvalidRequestError, PaginationError
from notion_crm.notion.gateway import NotionGateway
from notion_crm.notion.pagination import MAX_RESTARTS, created_on_or_after

QUERY = "/v1/data_sources/ds1/query"
CHILDREN = "/v1/blocks/b1/children"


def by_cursor(pages: dict[str | None, Any]) -> Any:
    """Answer a query according to the start_cursor in its body."""

    def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else {}
        cursor = body.get("start_cursor")
        if cursor is None:
            cursor = parse_qs(request.url.query.decode()).get("start_cursor", [None])[0]
        found = pages[cursor]
        return found if isinstance(found, httpx.Response) else found(request)

    return answer


def bad_cursor() -> httpx.Response:
    return error(400, "validation_error", "The start_cursor provided is invalid: c1")


def test_101_rows_read_100_at_a_time(
    gateway: NotionGateway, notion: FakeNotion
) -> None:
    first = [page(f"p{i}") for i in range(100)]
    notion.on(
        "POST",
        QUERY,
        by_cursor(
            {None: listing(first, next_cursor="c1"), "c1": listing([page("p100")])}
        ),
    )

    result = gateway.query_data_source("ds1")

    assert [p["id"] for p in result.results] == [f"p{i}" for i in range(101)]
    assert result.windows == 1 and result.restarts == 0
    bodies = notion.bodies("POST", QUERY)
    assert [b.get("start_cursor") for b in bodies] == [None, "c1"]
    assert all(b["page_size"] == 100 for b in bodies)
    assert bodies[0]["sorts"] == [
        {"timestamp": "created_time", "direction": "ascending"}
    ]


def test_repeated_cursor_raises_instead_of_looping(
    gateway: NotionGateway, notion: FakeNotion
) -> None:
    notion.on(
        "POST",
        QUERY,
        by_cursor(
            {
                None: listing([page("a")], next_cursor="c1"),
                "c1": listing([page("b")], next_cursor="c2"),
                "c2": listing([page("c")], next_cursor="c1"),
            }
        ),
    )

    with pytest.raises(PaginationError, match="second time"):
        gateway.query_data_source("ds1")

    assert len(notion.sent()) == 3


def test_has_more_without_cursor_is_not_taken_for_the_end(
    gateway: NotionGateway, notion: FakeNotion
) -> None:
    broken = ok(
        {"object": "list", "results": [], "has_more": True, "next_cursor": None}
    )
    notion.on("GET", CHILDREN, broken)

    with pytest.raises(PaginationError, match="no next_cursor"):
        gateway.list_block_children("b1")


def test_invalid_cursor_restarts_the_read_and_drops_duplicates(
    gateway: NotionGateway, notion: FakeNotion
) -> None:
    cursor_answers = iter([bad_cursor(), listing([page("b")])])
    pages = {None: listing([page("a")], next_cursor="c1")}

    def answer(request: httpx.Request) -> httpx.Response:
        if json.loads(request.content).get("start_cursor") == "c1":
            return next(cursor_answers)
        return pages[None]

    notion.on("POST", QUERY, answer)

    result = gateway.query_data_source("ds1")

    assert [p["id"] for p in result.results] == ["a", "b"]
    assert result.restarts == 1
    starts = [b.get("start_cursor") for b in notion.bodies("POST", QUERY)]
    assert starts == [None, "c1", None, "c1"]


def test_invalid_cursor_restarts_are_bounded(
    gateway: NotionGateway, notion: FakeNotion
) -> None:
    notion.on(
        "POST",
        QUERY,
        by_cursor({None: listing([page("a")], next_cursor="c1"), "c1": bad_cursor()}),
    )

    with pytest.raises(PaginationError, match="restarts") as caught:
        gateway.query_data_source("ds1")

    assert len(notion.sent()) == 2 * (MAX_RESTARTS + 1)
    assert caught.value.code == "validation_error"
    assert isinstance(caught.value.__cause__, InvalidRequestError)


def test_invalid_cursor_restart_on_a_get_list(
    gateway: NotionGateway, notion: FakeNotion
) -> None:
    answers = iter([bad_cursor()])

    def answer(request: httpx.Request) -> httpx.Response:
        cursor = parse_qs(request.url.query.decode()).get("start_cursor")
        if cursor:
            return next(answers, listing([{"id": "blk2"}]))
        return listing([{"id": "blk1"}], next_cursor="c1")

    notion.on("GET", CHILDREN, answer)

    assert [b["id"] for b in gateway.list_block_children("b1")] == ["blk1", "blk2"]


def test_a_400_on_the_first_page_is_not_cursor_trouble(
    gateway: NotionGateway, notion: FakeNotion
) -> None:
    notion.on("POST", QUERY, bad_cursor())

    with pytest.raises(InvalidRequestError):
        gateway.query_data_source("ds1")

    assert len(notion.sent()) == 1


def test_result_cap_continues_in_a_created_time_window(
    gateway: NotionGateway, notion: FakeNotion
) -> None:
    status = {"property": "Stage", "select": {"equals": "Won"}}
    first = [
        page("a", "2026-01-01T10:00:00.000Z"),
        page("b", "2026-01-02T10:00:00.000Z"),
    ]
    second = [
        page("b", "2026-01-02T10:00:00.000Z"),
        page("c", "2026-01-03T10:00:00.000Z"),
    ]
    notion.on("POST", QUERY, listing(first, incomplete=True), listing(second))

    result = gateway.query_data_source("ds1", filter=status)

    assert [p["id"] for p in result.results] == ["a", "b", "c"]
    assert result.windows == 2
    bodies = notion.bodies("POST", QUERY)
    assert bodies[0]["filter"] == status
    assert bodies[1]["filter"] == {
        "and": [
            status,
            {
                "timestamp": "created_time",
                "created_time": {"on_or_after": "2026-01-02T10:00:00.000Z"},
            },
        ]
    }
    assert bodies[1]["sorts"] == bodies[0]["sorts"]


def test_result_cap_without_windowing_raises(
    gateway: NotionGateway, notion: FakeNotion
) -> None:
    notion.on("POST", QUERY, listing([page("a")], incomplete=True))

    with pytest.raises(PaginationError, match="partial read never produces a KPI"):
        gateway.query_data_source("ds1", window_by_created_time=False)


def test_result_cap_with_another_sort_raises(
    gateway: NotionGateway, notion: FakeNotion
) -> None:
    notion.on("POST", QUERY, listing([page("a")], incomplete=True))
    sorts = [{"property": "Name", "direction": "ascending"}]

    with pytest.raises(PaginationError):
        gateway.query_data_source("ds1", sorts=sorts)

    assert notion.bodies("POST", QUERY)[0]["sorts"] == sorts


def test_window_without_progress_raises(
    gateway: NotionGateway, notion: FakeNotion
) -> None:
    same = [page("a", "2026-01-01T10:00:00.000Z")]
    notion.on("POST", QUERY, listing(same, incomplete=True))

    with pytest.raises(PaginationError, match="no progress"):
        gateway.query_data_source("ds1")

    assert len(notion.sent()) == 2


def test_server_time_is_the_date_of_the_first_response(
    gateway: NotionGateway, notion: FakeNotion, fake_time: FakeTime
) -> None:
    def later(request: httpx.Request) -> httpx.Response:
        fake_time.sleep(90)
        return listing([page("b")])

    notion.on(
        "POST",
        QUERY,
        by_cursor({None: listing([page("a")], next_cursor="c1"), "c1": later}),
    )

    result = gateway.query_data_source("ds1")

    assert result.server_time == START
    assert gateway.last_server_time == START + timedelta(seconds=90)


def test_filter_properties_are_decoded_once(
    gateway: NotionGateway, notion: FakeNotion
) -> None:
    notion.on("POST", QUERY, listing([]))

    gateway.query_data_source("ds1", filter_properties=["U%3AC%3C", "title"])

    sent = notion.sent("POST", QUERY)[0].url
    assert parse_qs(sent.query.decode())["filter_properties"] == ["U:C<", "title"]


def test_property_items_page_through_and_keep_the_encoded_id(
    gateway: NotionGateway, notion: FakeNotion
) -> None:
    path = "/v1/pages/p1/properties/t%7B%7Di"
    notion.on(
        "GET",
        path,
        by_cursor(
            {
                None: listing(
                    [{"object": "property_item", "id": "t%7B%7Di"}], next_cursor="c1"
                ),
                "c1": listing([{"object": "property_item", "id": "t%7B%7Di"}]),
            }
        ),
    )

    items = gateway.property_items("p1", "t%7B%7Di")

    assert len(items) == 2
    assert notion.sent()[0].url.raw_path.startswith(b"/v1/pages/p1/properties/t%7B%7Di")


def test_property_item_that_is_not_a_list(
    gateway: NotionGateway, notion: FakeNotion
) -> None:
    notion.on(
        "GET",
        "/v1/pages/p1/properties/abc",
        ok({"object": "property_item", "number": 3}),
    )

    assert gateway.property_items("p1", "abc")[0]["number"] == 3


def test_append_splits_in_chunks_of_100_and_chains_after(
    gateway: NotionGateway, notion: FakeNotion
) -> None:
    def created(request: httpx.Request) -> httpx.Response:
        children = json.loads(request.content)["children"]
        start = len(notion.sent("PATCH", CHILDREN)) * 1000
        return listing([{"id": f"n{start + i}"} for i in range(len(children))])

    notion.on("PATCH", CHILDREN, created)
    blocks: list[dict[str, Any]] = [
        {"paragraph": {"rich_text": []}} for _ in range(250)
    ]

    result = gateway.append_block_children("b1", blocks, after="anchor")

    bodies = notion.bodies("PATCH", CHILDREN)
    assert [len(b["children"]) for b in bodies] == [100, 100, 50]
    assert [b["after"] for b in bodies] == ["anchor", "n1099", "n2099"]
    assert len(result) == 250


def test_append_without_after_appends_at_the_end(
    gateway: NotionGateway, notion: FakeNotion
) -> None:
    notion.on("PATCH", CHILDREN, listing([{"id": "x"}]))

    gateway.append_block_children("b1", [{"divider": {}}] * 101)

    assert all("after" not in b for b in notion.bodies("PATCH", CHILDREN))


def test_search_and_list_views(gateway: NotionGateway, notion: FakeNotion) -> None:
    notion.on("POST", "/v1/search", listing([{"object": "data_source", "id": "d"}]))
    notion.on("GET", "/v1/views", listing([{"object": "view", "id": "v"}]))

    assert gateway.search("Companies", object="data_source")[0]["id"] == "d"
    assert gateway.list_views(database_id="db1")[0]["id"] == "v"

    search = notion.bodies("POST", "/v1/search")[0]
    assert search["filter"] == {"property": "object", "value": "data_source"}
    views = parse_qs(notion.sent("GET", "/v1/views")[0].url.query.decode())
    assert views["database_id"] == ["db1"] and views["page_size"] == ["100"]
    with pytest.raises(ValueError):
        gateway.list_views()


WINDOW = {"timestamp": "created_time", "created_time": {"on_or_after": "T"}}
A = {"property": "A", "checkbox": {"equals": True}}
B = {"property": "B", "checkbox": {"equals": True}}
C = {"property": "C", "checkbox": {"equals": True}}


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        (None, WINDOW),
        (A, {"and": [A, WINDOW]}),
        ({"and": [A, B]}, {"and": [A, B, WINDOW]}),
        ({"and": [A, {"or": [B, C]}]}, {"and": [A, {"or": [B, C]}, WINDOW]}),
        ({"or": [A, B]}, {"or": [{"and": [A, WINDOW]}, {"and": [B, WINDOW]}]}),
        (
            {"or": [A, {"and": [B, C]}]},
            {"or": [{"and": [A, WINDOW]}, {"and": [B, C, WINDOW]}]},
        ),
        (
            {"or": [A, {"or": [B, C]}]},
            {"or": [{"and": [x, WINDOW]} for x in (A, B, C)]},
        ),
    ],
)
def test_created_window_keeps_two_levels(
    original: dict[str, Any] | None, expected: dict[str, Any]
) -> None:
    assert created_on_or_after(original, "T") == expected


def test_created_window_refuses_a_filter_too_deep() -> None:
    with pytest.raises(InvalidRequestError, match="two levels"):
        created_on_or_after({"and": [{"or": [{"and": [A]}]}]}, "T")


LEAVES = st.sampled_from(["A", "B", "C", "D"]).map(
    lambda name: {"property": name, "checkbox": {"equals": True}}
)
GROUPS = st.builds(
    lambda op, items: {op: items},
    st.sampled_from(["and", "or"]),
    st.lists(LEAVES, min_size=1, max_size=3),
)
FILTERS = st.one_of(
    LEAVES,
    st.builds(
        lambda op, items: {op: items},
        st.sampled_from(["and", "or"]),
        st.lists(st.one_of(LEAVES, GROUPS), min_size=1, max_size=3),
    ),
)


def evaluate(filter_: dict[str, Any], truth: dict[str, bool]) -> bool:
    if "and" in filter_:
        return all(evaluate(f, truth) for f in filter_["and"])
    if "or" in filter_:
        return any(evaluate(f, truth) for f in filter_["or"])
    if "timestamp" in filter_:
        return truth["T"]
    return truth[filter_["property"]]


def depth(filter_: dict[str, Any]) -> int:
    children = filter_.get("and", filter_.get("or"))
    if children is None:
        return 0
    return 1 + max(depth(c) for c in children)


@settings(derandomize=True, max_examples=200, deadline=None)
@given(
    FILTERS,
    st.fixed_dictionaries({k: st.booleans() for k in ["A", "B", "C", "D", "T"]}),
)
def test_created_window_means_filter_and_window(
    original: dict[str, Any], truth: dict[str, bool]
) -> None:
    windowed = created_on_or_after(original, "T")

    assert depth(windowed) <= 2
    assert evaluate(windowed, truth) == (evaluate(original, truth) and truth["T"])
