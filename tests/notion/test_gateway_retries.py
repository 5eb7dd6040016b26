"""Retry rules of the gateway, driven through the real notion-client."""

from __future__ import annotations

import logging
import random
import socket
from datetime import timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
from gateway_fakes import START, FakeNotion, FakeTime, error, html, make_gateway, ok

from notion_crm.errors import (
    AccessError,
    AuthError,
    ConflictError,
    InvalidRequestError,
    RateLimitedError,
    ServerError,
)
from notion_crm.notion.gateway import GatewayConfig, NotionGateway

PAGE = "/v1/pages/p1"
PAGES = "/v1/pages"
QUERY = "/v1/data_sources/ds1/query"


def rate_limited(retry_after: str) -> httpx.Response:
    return error(
        429,
        "rate_limited",
        "You have been rate limited.",
        headers={"Retry-After": retry_after},
    )


def test_retry_after_seconds_is_obeyed(
    gateway: NotionGateway, notion: FakeNotion, fake_time: FakeTime
) -> None:
    notion.on("GET", PAGE, rate_limited("7"), ok({"object": "page", "id": "p1"}))

    assert gateway.retrieve_page("p1")["id"] == "p1"

    assert fake_time.sleeps == [7.0]
    assert len(notion.sent("GET", PAGE)) == 2


def test_retry_after_of_two_minutes_is_obeyed_not_capped(
    gateway: NotionGateway, notion: FakeNotion, fake_time: FakeTime
) -> None:
    notion.on("PATCH", PAGE, rate_limited("120"), ok({"object": "page", "id": "p1"}))

    gateway.update_page("p1", {"properties": {}})

    assert fake_time.sleeps == [120.0]


def test_retry_after_http_date_is_measured_from_the_response_date(
    gateway: NotionGateway, notion: FakeNotion, fake_time: FakeTime
) -> None:
    answered = START + timedelta(hours=3)  # the server clock, not ours
    later = answered + timedelta(seconds=90)
    limited = rate_limited(format_datetime(later, usegmt=True))
    limited.headers["Date"] = format_datetime(answered, usegmt=True)
    notion.on("GET", PAGE, limited, ok({"object": "page", "id": "p1"}))

    gateway.retrieve_page("p1")

    assert fake_time.sleeps == [90.0]


def test_rate_limit_pauses_every_thread_until_retry_after(
    gateway: NotionGateway, notion: FakeNotion, fake_time: FakeTime
) -> None:
    notion.on("GET", PAGE, rate_limited("30"), ok({"object": "page", "id": "p1"}))
    notion.on("GET", "/v1/pages/p2", ok({"object": "page", "id": "p2"}))

    gateway.retrieve_page("p1")
    before = fake_time.elapsed
    gateway.retrieve_page("p2")

    assert before == 30.0
    assert fake_time.elapsed == before  # the pause was over; no second wait


def test_wait_past_budget_ends_the_cycle_with_rate_limited_error(
    notion: FakeNotion, fake_time: FakeTime
) -> None:
    gw = make_gateway(notion, fake_time, max_wait_s=100.0)
    notion.on("GET", PAGE, rate_limited("60"))

    with pytest.raises(RateLimitedError) as caught:
        gw.retrieve_page("p1")

    assert fake_time.sleeps == [60.0]  # the first wait fitted, the second did not
    assert "resume at the next tick" in str(caught.value)
    assert caught.value.status == 429
    assert caught.value.request_id == "req-err"
    assert caught.value.path == PAGE


def test_start_budget_gives_a_new_cycle_its_whole_budget(
    notion: FakeNotion, fake_time: FakeTime
) -> None:
    gw = make_gateway(notion, fake_time, max_wait_s=100.0)
    notion.on("GET", PAGE, rate_limited("80"), ok({"object": "page", "id": "p1"}))
    gw.retrieve_page("p1")
    assert gw.budget_remaining_s == pytest.approx(20.0)

    gw.start_budget()

    assert gw.budget_remaining_s == pytest.approx(100.0)


def test_other_threads_stop_when_the_shared_pause_exceeds_the_budget(
    notion: FakeNotion, fake_time: FakeTime
) -> None:
    gw = make_gateway(notion, fake_time, max_wait_s=50.0)
    notion.on("GET", PAGE, rate_limited("3600"))
    with pytest.raises(RateLimitedError):
        gw.retrieve_page("p1")
    notion.on("GET", "/v1/pages/p2", ok({"object": "page", "id": "p2"}))

    with pytest.raises(RateLimitedError, match="next tick"):
        gw.retrieve_page("p2")

    assert notion.sent("GET", "/v1/pages/p2") == []
    assert fake_time.sleeps == []


def test_502_html_on_patch_is_retried_and_logged(
    gateway: NotionGateway,
    notion: FakeNotion,
    fake_time: FakeTime,
    caplog: pytest.LogCaptureFixture,
) -> None:
    notion.on("PATCH", PAGE, html(502), ok({"object": "page", "id": "p1"}))
    caplog.set_level(logging.WARNING, logger="notion_crm")

    assert gateway.update_page("p1", {"properties": {}})["id"] == "p1"

    assert len(notion.sent("PATCH", PAGE)) == 2
    assert len(fake_time.sleeps) == 1
    retries = [r for r in caplog.records if r.name == "notion_crm.notion.retry"]
    assert len(retries) == 1
    assert retries[0].levelno == logging.WARNING
    assert "attempt 1" in retries[0].getMessage()
    assert "502" in retries[0].getMessage()


def test_500_on_a_query_is_retried_because_a_query_is_a_read(
    gateway: NotionGateway, notion: FakeNotion
) -> None:
    answer = ok(
        {"object": "list", "results": [], "next_cursor": None, "has_more": False}
    )
    notion.on("POST", QUERY, error(500, "internal_server_error", "Unexpected."), answer)

    result = gateway.query_data_source("ds1")

    assert result.results == []
    assert len(notion.sent("POST", QUERY)) == 2


def test_backoff_grows_with_jitter_and_is_bounded_by_max_attempts(
    gateway: NotionGateway, notion: FakeNotion, fake_time: FakeTime
) -> None:
    notion.on("GET", PAGE, error(503, "service_unavailable", "Try later."))

    with pytest.raises(ServerError) as caught:
        gateway.retrieve_page("p1")

    assert len(notion.sent("GET", PAGE)) == 6
    assert len(fake_time.sleeps) == 5
    for n, wait in enumerate(fake_time.sleeps, start=1):
        step = min(30.0, 2.0 ** (n - 1))
        assert 0.5 * step <= wait < 1.5 * step
    assert caught.value.status == 503
    assert "service_unavailable" in str(caught.value)


def test_backoff_is_reproducible_with_the_same_seed(
    notion: FakeNotion, fake_time: FakeTime
) -> None:
    notion.on("GET", PAGE, error(504, "gateway_timeout", "Timed out."))
    runs = []
    for _ in range(2):
        gw = make_gateway(notion, fake_time, seed=42)
        fake_time.sleeps.clear()
        with pytest.raises(ServerError):
            gw.retrieve_page("p1")
        runs.append(list(fake_time.sleeps))
        gw.close()

    assert runs[0] == runs[1]


def test_create_after_timeout_returns_what_find_existing_found(
    gateway: NotionGateway, notion: FakeNotion
) -> None:
    existing = {"object": "page", "id": "made-before-the-timeout"}
    looked: list[int] = []

    def find_existing() -> dict[str, Any] | None:
        looked.append(1)
        return existing

    notion.on("POST", PAGES, httpx.ReadTimeout, ok({"object": "page", "id": "dup"}))

    result = gateway.create_page({"parent": {}}, find_existing=find_existing)

    assert result == existing
    assert looked == [1]
    assert len(notion.sent("POST", PAGES)) == 1


def test_create_after_timeout_with_nothing_found_is_sent_exactly_once_more(
    gateway: NotionGateway, notion: FakeNotion
) -> None:
    notion.on("POST", PAGES, httpx.ReadTimeout, ok({"object": "page", "id": "new"}))

    result = gateway.create_page({"parent": {}}, find_existing=lambda: None)

    assert result["id"] == "new"
    assert len(notion.sent("POST", PAGES)) == 2


def test_create_that_may_have_been_applied_is_never_resent_blindly(
    gateway: NotionGateway, notion: FakeNotion
) -> None:
    notion.on("POST", PAGES, html(502), ok({"object": "page", "id": "dup"}))

    with pytest.raises(ServerError, match="not sent again") as caught:
        gateway.create_page({"parent": {}})

    assert len(notion.sent("POST", PAGES)) == 1
    assert caught.value.status == 502


def test_find_existing_is_called_through_the_gateway_itself(
    gateway: NotionGateway, notion: FakeNotion
) -> None:
    notion.on("POST", "/v1/databases", httpx.RemoteProtocolError)
    notion.on(
        "GET",
        "/v1/blocks/parent/children",
        ok({"object": "list", "results": [{"id": "db1"}], "has_more": False}),
    )

    def find_existing() -> dict[str, Any] | None:
        children = gateway.list_block_children("parent")
        return children[0] if children else None

    assert gateway.create_database({}, find_existing=find_existing) == {"id": "db1"}
    assert len(notion.sent("POST", "/v1/databases")) == 1


def test_create_refused_with_429_is_retried_without_looking(
    gateway: NotionGateway, notion: FakeNotion
) -> None:
    looked: list[int] = []

    def find_existing() -> dict[str, Any] | None:
        looked.append(1)
        return None

    notion.on("POST", PAGES, rate_limited("2"), ok({"object": "page", "id": "new"}))

    assert gateway.create_page({}, find_existing=find_existing)["id"] == "new"
    assert looked == []


def test_create_whose_connection_failed_is_retried(
    gateway: NotionGateway, notion: FakeNotion
) -> None:
    notion.on("POST", PAGES, httpx.ConnectError, ok({"object": "page", "id": "new"}))

    assert gateway.create_page({})["id"] == "new"
    assert len(notion.sent("POST", PAGES)) == 2


def test_conflict_is_retried_then_raises_conflict_error(
    gateway: NotionGateway, notion: FakeNotion
) -> None:
    notion.on("PATCH", PAGE, error(409, "conflict_error", "Conflict occurred."))

    with pytest.raises(ConflictError) as caught:
        gateway.update_page("p1", {"properties": {}})

    assert len(notion.sent("PATCH", PAGE)) == 6
    assert caught.value.code == "conflict_error"
    assert "re-reads" in str(caught.value)


def test_conflict_then_success(gateway: NotionGateway, notion: FakeNotion) -> None:
    notion.on(
        "PATCH",
        PAGE,
        error(409, "conflict_error", "Conflict occurred."),
        ok({"object": "page", "id": "p1"}),
    )

    assert gateway.update_page("p1", {})["id"] == "p1"


def test_not_found_is_an_access_error_with_the_sharing_hint_and_no_retry(
    gateway: NotionGateway, notion: FakeNotion, fake_time: FakeTime
) -> None:
    notion.on(
        "GET",
        PAGE,
        error(
            404, "object_not_found", "Could not find page with ID: p1.", request_id="r9"
        ),
    )

    with pytest.raises(AccessError) as caught:
        gateway.retrieve_page("p1")

    text = str(caught.value)
    assert "Connections" in text and "add your integration" in text
    assert "GET /v1/pages/p1" in text and "r9" in text
    assert "Could not find page with ID: p1" in text
    assert len(notion.sent()) == 1
    assert fake_time.sleeps == []


def test_unauthorized_is_an_auth_error(
    gateway: NotionGateway, notion: FakeNotion
) -> None:
    notion.on(
        "GET", "/v1/users/me", error(401, "unauthorized", "API token is invalid.")
    )

    with pytest.raises(AuthError, match="NOTION_TOKEN") as caught:
        gateway.me()

    assert caught.value.status == 401
    assert len(notion.sent()) == 1


def test_validation_error_is_not_retried(
    gateway: NotionGateway, notion: FakeNotion
) -> None:
    notion.on(
        "PATCH",
        PAGE,
        error(
            400, "validation_error", "body.properties.Amount.number should be a number"
        ),
    )

    with pytest.raises(InvalidRequestError, match="Amount"):
        gateway.update_page("p1", {"properties": {"Amount": {"number": "x"}}})

    assert len(notion.sent()) == 1


def test_stats_count_every_attempt_and_rate_limited_answers(
    gateway: NotionGateway, notion: FakeNotion
) -> None:
    notion.on(
        "GET", PAGE, rate_limited("1"), html(502), ok({"object": "page", "id": "p1"})
    )
    notion.on("PATCH", PAGE, ok({"object": "page", "id": "p1"}))
    notion.on("POST", PAGES, httpx.ConnectError, ok({"object": "page", "id": "p2"}))

    gateway.retrieve_page("p1")
    gateway.update_page("p1", {})
    gateway.create_page({})

    snapshot = gateway.stats.snapshot()
    assert snapshot["by_method"] == {"GET": 3, "POST": 2, "PATCH": 1, "DELETE": 0}
    assert snapshot["rate_limited"] == 1
    assert snapshot["retries"] == 3
    gateway.stats.reset()
    assert gateway.stats.total == 0


def test_many_429s_are_bounded_by_the_safety_cap(
    notion: FakeNotion, fake_time: FakeTime
) -> None:
    gw = make_gateway(notion, fake_time, max_rate_limited_attempts=4)
    notion.on("GET", PAGE, rate_limited("0"))

    with pytest.raises(RateLimitedError):
        gw.retrieve_page("p1")

    assert len(notion.sent()) == 4


def test_529_service_overload_is_waited_out_like_a_429(
    gateway: NotionGateway, notion: FakeNotion, fake_time: FakeTime
) -> None:
    overloaded = error(
        529, "service_overload", "Overloaded.", headers={"Retry-After": "5"}
    )
    notion.on("POST", PAGES, overloaded, ok({"object": "page", "id": "new"}))

    assert gateway.create_page({})["id"] == "new"
    assert fake_time.sleeps == [5.0]
    assert gateway.stats.rate_limited == 1


def test_last_server_time_follows_the_date_header(
    gateway: NotionGateway, notion: FakeNotion, fake_time: FakeTime
) -> None:
    notion.on("GET", "/v1/users/me", ok({"object": "user", "id": "bot"}))
    assert gateway.last_server_time is None

    fake_time.sleep(61)
    gateway.me()

    assert gateway.last_server_time == START + timedelta(seconds=61)


def test_create_looks_once_more_after_the_last_unclear_failure(
    notion: FakeNotion, fake_time: FakeTime
) -> None:
    gw = make_gateway(notion, fake_time, max_attempts=2)
    answers = iter([None, {"object": "page", "id": "late"}])
    notion.on("POST", PAGES, html(502))

    result = gw.create_page({}, find_existing=lambda: next(answers))

    assert result["id"] == "late"
    assert len(notion.sent("POST", PAGES)) == 2


def test_create_that_keeps_failing_says_it_may_have_been_applied(
    notion: FakeNotion, fake_time: FakeTime
) -> None:
    gw = make_gateway(notion, fake_time, max_attempts=3)
    notion.on("POST", PAGES, httpx.ReadTimeout)

    with pytest.raises(ServerError, match="may or may not have been applied"):
        gw.create_page({}, find_existing=lambda: None)

    assert len(notion.sent("POST", PAGES)) == 3


def test_server_errors_past_the_budget_end_the_cycle(
    notion: FakeNotion, fake_time: FakeTime
) -> None:
    gw = make_gateway(notion, fake_time, max_wait_s=2.0, backoff_base_s=1.5)
    notion.on("GET", PAGE, error(500, "internal_server_error", "Oops."))

    with pytest.raises(ServerError, match="next tick") as caught:
        gw.retrieve_page("p1")

    assert caught.value.status == 500
    assert sum(fake_time.sleeps) <= 2.0


def test_a_success_that_is_not_a_json_object_is_a_server_error(
    gateway: NotionGateway, notion: FakeNotion
) -> None:
    notion.on("GET", PAGE, httpx.Response(200, json=["not", "an", "object"]))

    with pytest.raises(ServerError, match="not an object"):
        gateway.retrieve_page("p1")


def test_a_success_with_an_html_body_is_retried_for_reads(
    gateway: NotionGateway, notion: FakeNotion
) -> None:
    notion.on(
        "GET",
        PAGE,
        httpx.Response(200, text="<html>maintenance</html>"),
        ok({"object": "page", "id": "p1"}),
    )

    assert gateway.retrieve_page("p1")["id"] == "p1"


@pytest.mark.parametrize(
    "path", ["pages/p1", "/pages/p1", "/v1/pages/p1", "v1/pages/p1"]
)
def test_request_accepts_paths_with_or_without_v1(
    gateway: NotionGateway, notion: FakeNotion, path: str
) -> None:
    notion.on("GET", PAGE, ok({"object": "page", "id": "p1"}))

    assert gateway.request("GET", path, kind="read")["id"] == "p1"


def test_refused_connection_on_loopback_is_retried_then_a_server_error(
    fake_time: FakeTime,
) -> None:
    with socket.socket() as probe:  # find a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gw = NotionGateway(
        "secret_loopback_token_123",
        GatewayConfig(base_url=f"http://127.0.0.1:{port}", pace_rps=0, timeout_s=2),
        sleep=fake_time.sleep,
        monotonic=fake_time.monotonic,
        clock=fake_time.clock,
        rng=random.Random(1),
    )

    with pytest.raises(ServerError, match="ConnectError") as caught:
        gw.me()
    gw.close()

    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert gw.stats.by_method["GET"] == 6
    assert len(fake_time.sleeps) == 5


def test_retry_after_on_a_503_is_a_floor_for_the_backoff(
    gateway: NotionGateway, notion: FakeNotion, fake_time: FakeTime
) -> None:
    unavailable = error(
        503, "service_unavailable", "Busy.", headers={"Retry-After": "45"}
    )
    notion.on("GET", PAGE, unavailable, ok({"object": "page", "id": "p1"}))

    gateway.retrieve_page("p1")

    assert fake_time.sleeps == [45.0]
