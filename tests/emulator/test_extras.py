"""Faults, holds, tokens, stats, reset, the free plan and the data file."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import httpx
import pytest
from notion_client import APIResponseError
from notion_client.errors import UnknownHTTPResponseError

from notion_crm.emulator import Emulator, EmulatorConfig
from notion_crm.emulator.persistence import bulk_add_pages

from .helpers import START, make_client, make_emulator


def _post(emu: Emulator, name: str, payload: dict[str, object]) -> dict[str, object]:
    status, _, body = emu.handle(
        "POST", f"/_emulator/{name}", {}, json.dumps(payload).encode()
    )
    assert status == 200
    result: dict[str, object] = json.loads(body)
    return result


def _new_page(client: object, emu: Emulator, title: str = "p") -> dict[str, object]:
    return client.pages.create(  # type: ignore[attr-defined, no-any-return]
        parent={"page_id": emu.root_page_id},
        properties={"title": [{"text": {"content": title}}]},
    )


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("500", 500, "internal_server_error"),
        ("503", 503, "service_unavailable"),
        ("504", 504, "gateway_timeout"),
        ("409", 409, "conflict_error"),
        ("429long", 429, "rate_limited"),
    ],
)
def test_pre_faults_answer_before_applying(kind: str, status: int, code: str) -> None:
    emu, _ = make_emulator(faults=f"{kind}:1@POST /v1/pages")
    client = make_client(emu)
    with pytest.raises(APIResponseError) as info:
        _new_page(client, emu)
    assert (info.value.status, info.value.code) == (status, code)
    assert client.blocks.children.list(emu.root_page_id)["results"] == []
    _new_page(client, emu)
    client.close()


def test_unknown_codes_and_html_bodies() -> None:
    emu, _ = make_emulator(faults="502html:1@GET /v1/users/me,529:1@GET /v1/users/me")
    client = make_client(emu)
    with pytest.raises(UnknownHTTPResponseError):
        client.users.me()
    with pytest.raises(UnknownHTTPResponseError):
        client.users.me()
    client.close()


def test_applied_then_failed_and_dropped_connections() -> None:
    emu, _ = make_emulator(faults="502applied:1@POST /v1/pages,reset:1@GET /v1/users")
    client = make_client(emu)
    with pytest.raises(UnknownHTTPResponseError):
        _new_page(client, emu)
    assert len(client.blocks.children.list(emu.root_page_id)["results"]) == 1
    with pytest.raises(httpx.RemoteProtocolError):
        client.users.list()
    client.close()


def test_timeout_fault_raises_read_timeout() -> None:
    from notion_client.errors import RequestTimeoutError

    emu, _ = make_emulator(faults="timeoutapplied:1@POST /v1/pages")
    client = make_client(emu)
    with pytest.raises(RequestTimeoutError):
        _new_page(client, emu)
    assert len(client.blocks.children.list(emu.root_page_id)["results"]) == 1
    client.close()


def test_rate_faults_are_repeatable() -> None:
    def outcomes() -> list[int]:
        emu, _ = make_emulator(faults="500:0.5", seed=7)
        results = []
        for _ in range(20):
            status, _, _ = emu.handle(
                "GET", "/v1/users/me", {"Authorization": "Bearer secret_emulator"}, b""
            )
            results.append(status)
        return results

    first = outcomes()
    assert first == outcomes() and 500 in first and 200 in first


def test_cursor_faults() -> None:
    emu, _ = make_emulator()
    client = make_client(emu)
    for i in range(3):
        _new_page(client, emu, f"p{i}")
    page = client.blocks.children.list(emu.root_page_id, page_size=1)
    emu.set_faults("badcursor:1")
    with pytest.raises(APIResponseError) as info:
        client.blocks.children.list(
            emu.root_page_id, page_size=1, start_cursor=page["next_cursor"]
        )
    assert str(info.value).startswith("The start_cursor provided is invalid")
    emu.set_faults("loopcursor:1")
    again = client.blocks.children.list(
        emu.root_page_id, page_size=1, start_cursor=page["next_cursor"]
    )
    assert again["next_cursor"] == page["next_cursor"]
    client.close()


def test_stats_count_templates_and_callers(emu: Emulator) -> None:
    client = make_client(emu)
    client.pages.retrieve(emu.root_page_id)
    rows = emu.stats()["requests"]
    assert {
        "caller": "integration",
        "method": "GET",
        "path": "/v1/pages/{id}",
        "status": 200,
        "count": 1,
    } in rows
    _post(emu, "stats/reset", {})
    assert emu.stats() == {"requests": []}
    client.close()


def test_tokens_other_workspace_and_revoked(emu: Emulator) -> None:
    _post(emu, "tokens", {"token": "other", "workspace": "other"})
    other = make_client(emu, "other")
    with pytest.raises(APIResponseError) as info:
        other.pages.retrieve(emu.root_page_id)
    assert info.value.status == 404
    _post(emu, "tokens", {"token": "secret_emulator", "revoked": True})
    revoked = make_client(emu)
    with pytest.raises(APIResponseError) as info:
        revoked.users.me()
    assert info.value.status == 401
    other.close()
    revoked.close()


def test_hold_blocks_after_k_requests_then_drops(emu: Emulator) -> None:
    client = make_client(emu)
    _post(emu, "hold", {"after": 1, "apply": True})
    client.users.me()
    failures: list[BaseException] = []

    def held() -> None:
        try:
            _new_page(client, emu, "held")
        except httpx.HTTPError as exc:
            failures.append(exc)

    worker = threading.Thread(target=held)
    worker.start()
    worker.join(timeout=0.2)
    assert worker.is_alive()
    _post(emu, "hold", {"after": None})
    worker.join(timeout=5)
    assert failures and isinstance(failures[0], httpx.RemoteProtocolError)
    titles = [
        b["child_page"]["title"]
        for b in client.blocks.children.list(emu.root_page_id)["results"]
    ]
    assert titles == ["held"]
    client.close()


def test_clock_extra_and_reset(emu: Emulator) -> None:
    client = make_client(emu)
    _new_page(client, emu)
    _post(emu, "clock", {"now": "2027-01-01T10:00:30Z"})
    page = _new_page(client, emu)
    assert page["created_time"] == "2027-01-01T10:00:00.000Z"
    _post(emu, "reset", {})
    assert client.blocks.children.list(emu.root_page_id)["results"] == []
    client.close()


def test_free_plan_block_limit_and_upload_cap() -> None:
    emu, _ = make_emulator(plan="free", members=2)
    client = make_client(emu)
    me = client.users.me()
    assert me["bot"]["workspace_limits"]["max_file_upload_size_in_bytes"] == 5242880
    assert (
        len([u for u in client.users.list()["results"] if u["type"] == "person"]) == 2
    )
    emu.store.blocks_created = 999
    _new_page(client, emu)
    emu.set_clock(advance_s=3 * 86400 + 60)
    with pytest.raises(APIResponseError) as info:
        _new_page(client, emu)
    assert "block limit" in str(info.value)
    client.close()


def test_data_file_round_trip_and_bulk_add(tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    emu, _ = make_emulator(data_path=path)
    client = make_client(emu)
    db = client.databases.create(
        parent={"type": "page_id", "page_id": emu.root_page_id},
        title=[{"text": {"content": "Deals"}}],
        initial_data_source={
            "properties": {"Name": {"title": {}}, "Amount": {"number": {}}}
        },
    )
    source_id = db["data_sources"][0]["id"]
    client.close()
    added = bulk_add_pages(
        path,
        source_id,
        (
            {
                "Name": {"title": [{"text": {"content": f"d{i}"}}]},
                "Amount": {"number": i},
            }
            for i in range(250)
        ),
        created_times=[START] * 250,
    )
    assert len(added) == 250
    reloaded = Emulator(EmulatorConfig(data_path=path, rate_limit_rps=0))
    again = make_client(reloaded)
    result = again.data_sources.query(
        source_id,
        filter={"property": "Amount", "number": {"greater_than_or_equal_to": 200}},
    )
    assert len(result["results"]) == 50
    again.close()
