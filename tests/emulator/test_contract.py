"""The same small contract suite, in-process and over HTTP on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from notion_client import APIResponseError, Client

from notion_crm.emulator import Emulator, start_server

from .helpers import make_client, make_emulator


@pytest.fixture(params=["in-process", "http"])
def api(request: pytest.FixtureRequest) -> Iterator[tuple[Emulator, Client]]:
    emu, _ = make_emulator()
    if request.param == "in-process":
        client = make_client(emu)
        yield emu, client
        client.close()
        return
    server = start_server(emu, host="127.0.0.1", port=0)
    client = Client(
        auth="secret_emulator",
        base_url=server.base_url,
        client=httpx.Client(),
        retry=False,
    )
    yield emu, client
    client.close()
    server.shutdown()


def test_provision_like_flow(api: tuple[Emulator, Client]) -> None:
    emu, client = api
    dashboard = client.pages.create(
        parent={"page_id": emu.root_page_id},
        properties={"title": [{"text": {"content": "CRM"}}]},
    )
    db = client.databases.create(
        parent={"type": "page_id", "page_id": dashboard["id"]},
        title=[{"text": {"content": "Companies"}}],
        description=[{"text": {"content": "notion-crm:companies"}}],
        initial_data_source={
            "properties": {
                "Name": {"title": {}},
                "Revenue": {"number": {"format": "euro"}},
            }
        },
    )
    views = client.views.list(database_id=db["id"])["results"]
    assert len(views) == 1
    assert client.views.retrieve(views[0]["id"])["name"] == "Default view"
    source = db["data_sources"][0]["id"]
    for index in range(3):
        client.pages.create(
            parent={"data_source_id": source},
            properties={
                "Name": {"title": [{"text": {"content": f"Co {index}"}}]},
                "Revenue": {"number": index * 100},
            },
        )
    found = client.data_sources.query(
        source, sorts=[{"property": "Revenue", "direction": "descending"}], page_size=2
    )
    assert [p["properties"]["Revenue"]["number"] for p in found["results"]] == [
        200,
        100,
    ]
    rest = client.data_sources.query(
        source,
        start_cursor=found["next_cursor"],
        sorts=[{"property": "Revenue", "direction": "descending"}],
    )
    assert rest["has_more"] is False and len(rest["results"]) == 1
    children = client.blocks.children.list(dashboard["id"])["results"]
    assert [b["type"] for b in children] == ["child_database"]
    searched = client.search(query="Co", filter={"property": "object", "value": "page"})
    assert len(searched["results"]) == 3


def test_errors_keep_their_shape(api: tuple[Emulator, Client]) -> None:
    _, client = api
    with pytest.raises(APIResponseError) as info:
        client.pages.retrieve("00000000-0000-0000-0000-000000000000")
    assert info.value.code == "object_not_found" and info.value.request_id


def test_callout_update_and_file_upload(api: tuple[Emulator, Client]) -> None:
    emu, client = api
    callout = client.blocks.children.append(
        emu.root_page_id,
        children=[
            {
                "callout": {
                    "rich_text": [{"text": {"content": "KPI\n3"}}],
                    "icon": {"type": "emoji", "emoji": "💶"},
                }
            }
        ],
    )["results"][0]
    updated = client.blocks.update(
        callout["id"],
        callout={
            "rich_text": [{"text": {"content": "KPI\n4"}}],
            "color": "green_background",
        },
    )
    assert updated["callout"]["rich_text"][0]["plain_text"] == "KPI\n4"
    assert updated["callout"]["icon"]["emoji"] == "💶"
    upload = client.file_uploads.create(filename="a.txt", content_type="text/plain")
    sent = client.file_uploads.send(
        upload["id"], file=("a.txt", b"hello", "text/plain")
    )
    assert sent["status"] == "uploaded" and sent["content_length"] == 5
    image = client.blocks.children.append(
        emu.root_page_id,
        children=[
            {"image": {"type": "file_upload", "file_upload": {"id": upload["id"]}}}
        ],
    )["results"][0]
    assert image["image"]["type"] == "file"
