"""One test per behaviour of issue 3, each triggered through notion-client."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from notion_client import APIResponseError, Client

from notion_crm.emulator import Emulator

from .helpers import make_client, make_emulator


def _database(client: Client, emu: Emulator, props: dict[str, Any]) -> dict[str, Any]:
    db = client.databases.create(
        parent={"type": "page_id", "page_id": emu.root_page_id},
        title=[{"type": "text", "text": {"content": "Deals"}}],
        initial_data_source={"properties": {"Name": {"title": {}}, **props}},
    )
    return client.data_sources.retrieve(db["data_sources"][0]["id"])


def _row(client: Client, ds: dict[str, Any], **props: Any) -> dict[str, Any]:
    return client.pages.create(parent={"data_source_id": ds["id"]}, properties=props)


def _title(text: str) -> dict[str, Any]:
    return {"title": [{"text": {"content": text}}]}


def _error(call: Any) -> APIResponseError:
    with pytest.raises(APIResponseError) as info:
        call()
    return info.value


def test_timestamps_are_minute_rounded_and_same_minute_edit_keeps_them(
    emu: Emulator, client: Client
) -> None:
    page = client.pages.create(
        parent={"page_id": emu.root_page_id},
        properties={"title": [{"text": {"content": "A"}}]},
    )
    assert page["created_time"] == "2026-07-04T09:08:00.000Z"
    emu.set_clock(advance_s=20)
    edited = client.pages.update(
        page["id"], properties={"title": [{"text": {"content": "B"}}]}
    )
    assert edited["last_edited_time"] == "2026-07-04T09:08:00.000Z"
    assert edited["properties"]["title"]["title"][0]["plain_text"] == "B"
    emu.set_clock(advance_s=60)
    later = client.pages.update(
        page["id"], properties={"title": [{"text": {"content": "C"}}]}
    )
    assert later["last_edited_time"] == "2026-07-04T09:09:00.000Z"


def test_relations_cut_at_25_and_full_list_via_property_items(
    emu: Emulator, client: Client
) -> None:
    target = _database(client, emu, {})
    rows = [_row(client, target, Name=_title(f"c{i}"))["id"] for i in range(30)]
    ds = _database(
        client,
        emu,
        {
            "Links": {
                "relation": {
                    "data_source_id": target["id"],
                    "type": "single_property",
                    "single_property": {},
                }
            },
            "Count": {
                "rollup": {
                    "relation_property_name": "Links",
                    "rollup_property_name": "Name",
                    "function": "count",
                }
            },
        },
    )
    page = _row(
        client, ds, Name=_title("x"), Links={"relation": [{"id": i} for i in rows]}
    )
    value = page["properties"]["Links"]
    assert len(value["relation"]) == 25 and value["has_more"] is True
    assert page["properties"]["Count"]["rollup"]["number"] == 25
    prop_id = value["id"]
    first = client.pages.properties.retrieve(page["id"], prop_id, page_size=20)
    second = client.pages.properties.retrieve(
        page["id"], prop_id, start_cursor=first["next_cursor"]
    )
    ids = [r["relation"]["id"] for r in first["results"] + second["results"]]
    assert ids == rows and second["has_more"] is False


def test_query_cap_returns_request_status(emu: Emulator, client: Client) -> None:
    ds = _database(client, emu, {})
    for i in range(7):
        _row(client, ds, Name=_title(f"r{i}"))
    emu.set_faults("cap:5")
    first = client.data_sources.query(ds["id"], page_size=3)
    second = client.data_sources.query(
        ds["id"], page_size=3, start_cursor=first["next_cursor"]
    )
    assert len(second["results"]) == 2 and second["has_more"] is False
    assert second["request_status"] == {
        "type": "incomplete",
        "incomplete_reason": "query_result_limit_reached",
    }


def test_rich_text_and_array_limits(emu: Emulator, client: Client) -> None:
    long_text = {"title": [{"text": {"content": "x" * 2001}}]}
    err = _error(
        lambda: client.pages.create(
            parent={"page_id": emu.root_page_id},
            properties={"title": long_text["title"]},
        )
    )
    assert err.code == "validation_error"
    assert "should be ≤ `2000`, instead was `2001`" in str(err)
    many = [{"text": {"content": "a"}}] * 101
    err = _error(
        lambda: client.pages.create(
            parent={"page_id": emu.root_page_id}, properties={"title": many}
        )
    )
    assert "length should be ≤ `100`, instead was `101`" in str(err)


def test_relation_write_limit(emu: Emulator, client: Client) -> None:
    ds = _database(client, emu, {})
    ds = client.data_sources.update(
        ds["id"],
        properties={
            "Self": {
                "relation": {
                    "data_source_id": ds["id"],
                    "type": "single_property",
                    "single_property": {},
                }
            }
        },
    )
    page = _row(client, ds, Name=_title("a"))
    ids = [{"id": page["id"]}] * 101
    err = _error(
        lambda: client.pages.update(page["id"], properties={"Self": {"relation": ids}})
    )
    assert "relation.length should be ≤ `100`, instead was `101`" in str(err)


def test_select_options_created_on_write_and_commas_refused(
    emu: Emulator, client: Client
) -> None:
    ds = _database(client, emu, {"Stage": {"select": {"options": []}}})
    page = _row(client, ds, Name=_title("a"), Stage={"select": {"name": "Won"}})
    assert page["properties"]["Stage"]["select"]["name"] == "Won"
    options = client.data_sources.retrieve(ds["id"])["properties"]["Stage"]["select"]
    assert [o["name"] for o in options["options"]] == ["Won"]
    err = _error(
        lambda: _row(client, ds, Name=_title("b"), Stage={"select": {"name": "a,b"}})
    )
    assert err.code == "validation_error"
    assert str(err) == "Invalid select option, commas not allowed"


def test_status_values_must_exist(emu: Emulator, client: Client) -> None:
    ds = _database(client, emu, {"State": {"status": {}}})
    page = _row(client, ds, Name=_title("a"))
    assert page["properties"]["State"]["status"]["name"] == "Not started"
    err = _error(
        lambda: client.pages.update(
            page["id"], properties={"State": {"status": {"name": "Nope"}}}
        )
    )
    assert "Invalid status value" in str(err)


def test_top_level_properties_on_database_create_are_ignored(
    emu: Emulator, client: Client
) -> None:
    db = client.request(
        path="databases",
        method="POST",
        body={
            "parent": {"type": "page_id", "page_id": emu.root_page_id},
            "title": [{"text": {"content": "X"}}],
            "properties": {"Name": {"title": {}}, "Amount": {"number": {}}},
        },
    )
    ds = client.data_sources.retrieve(db["data_sources"][0]["id"])
    assert list(ds["properties"]) == ["Name"]


def test_dual_relation_creates_related_to_back_property(
    emu: Emulator, client: Client
) -> None:
    companies = _database(client, emu, {})
    deals = _database(client, emu, {})
    client.data_sources.update(
        companies["id"], title=[{"text": {"content": "Companies"}}]
    )
    updated = client.data_sources.update(
        companies["id"],
        properties={
            "Deals": {
                "relation": {
                    "data_source_id": deals["id"],
                    "type": "dual_property",
                    "dual_property": {},
                }
            }
        },
    )
    config = updated["properties"]["Deals"]["relation"]
    assert config["database_id"] and config["data_source_id"] == deals["id"]
    back_name = config["dual_property"]["synced_property_name"]
    assert back_name == "Related to Companies (Deals)"
    back = client.data_sources.retrieve(deals["id"])["properties"][back_name]
    assert back["id"] == config["dual_property"]["synced_property_id"]
    deal = _row(client, deals, Name=_title("d"))
    company = _row(
        client, companies, Name=_title("c"), Deals={"relation": [{"id": deal["id"]}]}
    )
    mirrored = client.pages.retrieve(deal["id"])["properties"][back_name]["relation"]
    assert mirrored == [{"id": company["id"]}]


def test_relation_with_database_id_is_rejected(emu: Emulator, client: Client) -> None:
    ds = _database(client, emu, {})
    err = _error(
        lambda: client.data_sources.update(
            ds["id"],
            properties={
                "R": {
                    "relation": {
                        "database_id": ds["parent"]["database_id"],
                        "type": "single_property",
                        "single_property": {},
                    }
                }
            },
        )
    )
    assert err.code == "validation_error"


def test_ids_with_or_without_dashes(emu: Emulator, client: Client) -> None:
    page = client.pages.retrieve(emu.root_page_id.replace("-", "").upper())
    assert page["id"] == emu.root_page_id


def test_url_encoded_property_ids_and_filter_properties(
    emu: Emulator, client: Client
) -> None:
    ds = _database(client, emu, {"Notes": {"rich_text": {}}, "Amount": {"number": {}}})
    encoded = ds["properties"]["Notes"]["id"]
    page = _row(
        client,
        ds,
        Name=_title("a"),
        **{unquote(encoded): {"rich_text": [{"text": {"content": "hi"}}]}},
    )
    item = client.pages.properties.retrieve(page["id"], encoded)
    assert item["results"][0]["rich_text"]["plain_text"] == "hi"
    only = client.pages.retrieve(page["id"], filter_properties=[unquote(encoded)])
    assert list(only["properties"]) == ["Notes"]
    if "%" in encoded:
        doubled = client.pages.retrieve(page["id"], filter_properties=[encoded])
        assert list(doubled["properties"]) == []


def test_trashed_pages_and_blocks_refuse_edits(emu: Emulator, client: Client) -> None:
    page = client.pages.create(
        parent={"page_id": emu.root_page_id},
        properties={"title": [{"text": {"content": "t"}}]},
    )
    blocks = client.blocks.children.append(
        page["id"],
        children=[{"paragraph": {"rich_text": [{"text": {"content": "p"}}]}}],
    )["results"]
    client.blocks.delete(blocks[0]["id"])
    err = _error(
        lambda: client.blocks.update(
            blocks[0]["id"], paragraph={"rich_text": [{"text": {"content": "q"}}]}
        )
    )
    assert str(err).startswith("Can't edit block that is archived.")
    client.pages.update(page["id"], in_trash=True)
    err = _error(
        lambda: client.pages.update(
            page["id"], properties={"title": [{"text": {"content": "x"}}]}
        )
    )
    assert str(err).startswith("Can't update a page that is archived.")
    restored = client.pages.update(page["id"], archived=False)
    assert restored["in_trash"] is False


def test_unshared_objects_answer_404_with_hint(emu: Emulator, person: Client) -> None:
    private = person.pages.create(
        parent={"workspace": True}, properties={"title": [{"text": {"content": "p"}}]}
    )
    client = make_client(emu)
    err = _error(lambda: client.pages.retrieve(private["id"]))
    assert err.status == 404 and err.code == "object_not_found"
    assert "Make sure the relevant pages and databases are shared" in str(err)
    assert err.additional_data == {"integration_id": client.users.me()["id"]}
    emu.share(private["id"], True)
    assert client.pages.retrieve(private["id"])["id"] == private["id"]
    client.close()


def test_bad_token_answers_401(emu: Emulator) -> None:
    client = make_client(emu, "nope")
    err = _error(lambda: client.users.list())
    assert err.status == 401 and str(err) == "API token is invalid."
    client.close()


def test_request_id_and_date_on_every_response(emu: Emulator) -> None:
    http = httpx.Client(
        transport=__import__(
            "notion_crm.emulator", fromlist=["EmulatorTransport"]
        ).EmulatorTransport(emu)
    )
    ok = http.get(
        "http://emulator.local/v1/users/me",
        headers={"Authorization": "Bearer secret_emulator"},
    )
    bad = http.get(
        "http://emulator.local/v1/nowhere",
        headers={"Authorization": "Bearer secret_emulator"},
    )
    assert ok.json()["request_id"] and bad.json()["request_id"]
    assert bad.json()["code"] == "invalid_request_url"
    assert ok.headers["Date"] == "Sat, 04 Jul 2026 09:08:30 GMT"
    http.close()


def test_person_edits_are_attributed_to_a_person(emu: Emulator, person: Client) -> None:
    page = person.pages.update(
        emu.root_page_id, properties={"title": [{"text": {"content": "Root"}}]}
    )
    user = person.users.retrieve(page["last_edited_by"]["id"])
    assert user["type"] == "person"


def test_children_limits_and_nesting(emu: Emulator, client: Client) -> None:
    para = {"paragraph": {"rich_text": [{"text": {"content": "p"}}]}}
    err = _error(
        lambda: client.blocks.children.append(emu.root_page_id, children=[para] * 124)
    )
    assert str(err).endswith(
        "body.children.length should be ≤ `100`, instead was `124`."
    )
    deep = {
        "bulleted_list_item": {
            "rich_text": [],
            "children": [
                {
                    "bulleted_list_item": {
                        "rich_text": [],
                        "children": [
                            {
                                "bulleted_list_item": {
                                    "rich_text": [],
                                    "children": [para],
                                }
                            }
                        ],
                    }
                }
            ],
        }
    }
    err = _error(
        lambda: client.blocks.children.append(emu.root_page_id, children=[deep])
    )
    assert "children should be not present" in str(err)
    single = {"column_list": {"children": [{"column": {"children": [para]}}]}}
    assert (
        _error(
            lambda: client.blocks.children.append(emu.root_page_id, children=[single])
        ).code
        == "validation_error"
    )


def test_rate_limit_answers_429_with_retry_after() -> None:
    emu, fake = make_emulator(rate_limit_rps=3.0, rate_limit_burst=2)
    client = make_client(emu)
    client.users.me()
    client.users.me()
    err = _error(client.users.me)
    assert err.status == 429 and err.code == "rate_limited"
    assert err.headers["retry-after"] == "1"
    assert err.additional_data and "rate_limit_reason" in err.additional_data
    fake.value += 1.0
    assert client.users.me()["type"] == "bot"
    client.close()
