"""Drift: what people change in Notion, what doctor says, what provision repairs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from notion_crm.errors import WorkspaceError
from notion_crm.notion.gateway import GatewayConfig, NotionGateway
from notion_crm.provision.apply import Provisioner
from notion_crm.provision.doctor import Finding, diagnose
from notion_crm.store.state import StateStore
from tests.world import World


def findings(world: World) -> list[Finding]:
    return diagnose(world.gateway, world.schema, world.store.binding())


def errors(world: World) -> list[str]:
    return [f.what for f in findings(world) if f.severity == "error"]


def source(world: World, key: str) -> dict[str, Any]:
    return dict(
        world.person.data_sources.retrieve(world.binding.database(key).data_source_id)
    )


def test_doctor_finds_nothing_on_a_fresh_crm(world: World) -> None:
    world.provision("en")

    assert findings(world) == []


def test_a_renamed_property_keeps_its_new_name(world: World) -> None:
    world.provision("en")
    amount = world.prop_id("opportunities", "amount")
    world.person.data_sources.update(
        world.binding.database("opportunities").data_source_id,
        properties={amount: {"name": "Budget"}},
    )
    world.emulator.reset_stats()

    result = world.provision("en")

    assert set(world.integration_requests()) == {"GET"}
    assert result.created == [] and result.repaired == []
    assert "Budget" in source(world, "opportunities")["properties"]
    assert world.binding.database("opportunities").properties["amount"].name == "Budget"
    infos = [f for f in findings(world) if f.severity == "info"]
    assert any("'Amount' was renamed 'Budget'" in f.what for f in infos)
    assert errors(world) == []


def test_a_deleted_property_is_reported_then_recreated(world: World) -> None:
    world.provision("en")
    source_id = world.binding.database("opportunities").data_source_id
    world.person.data_sources.update(source_id, properties={"Quote sent on": None})

    assert any("Quote sent on is missing" in e for e in errors(world))
    world.provision("en")

    recreated = source(world, "opportunities")["properties"]["Quote sent on"]
    assert recreated["type"] == "date"
    assert errors(world) == []


def test_a_deleted_stage_option_is_put_back_and_others_keep_their_ids(
    world: World,
) -> None:
    world.provision("en")
    source_id = world.binding.database("opportunities").data_source_id
    stage = source(world, "opportunities")["properties"]["Stage"]
    kept = [o for o in stage["select"]["options"] if o["name"] != "Follow-up"]
    world.person.data_sources.update(
        source_id, properties={"Stage": {"select": {"options": kept}}}
    )
    before = {o["name"]: o["id"] for o in kept}

    assert any("option follow_up of stage is missing" in e for e in errors(world))
    world.provision("en")

    options = source(world, "opportunities")["properties"]["Stage"]["select"]["options"]
    after = {o["name"]: o["id"] for o in options}
    assert "Follow-up" in after
    assert {k: after[k] for k in before} == before
    assert errors(world) == []


def test_a_deleted_view_and_callout_are_recreated(world: World) -> None:
    world.provision("en")
    pipeline = world.binding.database("opportunities").views["pipeline"]
    world.person.views.delete(pipeline)
    old_callout = world.binding.callouts["signed_revenue"]
    world.person.blocks.delete(old_callout)

    warnings = [f.what for f in findings(world) if f.severity == "warning"]
    assert any("View Pipeline" in w for w in warnings)
    assert any("signed_revenue" in w for w in warnings)
    world.provision("en")

    restored = world.binding.callouts["signed_revenue"]
    assert restored != old_callout
    assert world.binding.database("opportunities").views["pipeline"] != pipeline
    assert findings(world) == []
    # Back in its column of the grid (the second: Active opportunities, Conversion
    # rate, Signed revenue), in its place, under Conversion rate.
    block = world.person.blocks.retrieve(restored)
    column = block["parent"]["block_id"]
    inside = world.person.blocks.children.list(column)["results"]
    labels = [b["callout"]["rich_text"][0]["plain_text"].split("\n")[0] for b in inside]
    assert labels == ["Active opportunities", "Conversion rate", "Signed revenue"]


def test_what_a_person_added_is_never_removed(world: World) -> None:
    world.provision("en")
    source_id = world.binding.database("companies").data_source_id
    world.person.data_sources.update(
        source_id, properties={"Referrer": {"rich_text": {}}}
    )

    world.provision("en")

    assert "Referrer" in source(world, "companies")["properties"]


def test_an_unshared_database_is_reported_and_never_rebuilt(world: World) -> None:
    world.provision("en")
    contacts = world.binding.database("contacts").database_id
    world.emulator.share(contacts, False)

    problems = findings(world)
    assert [f.what for f in problems if f.severity == "error"] == [
        "Database Contacts is not shared with the integration."
    ]
    assert "Connections" in problems[0].fix
    with pytest.raises(WorkspaceError, match="second time"):
        world.provision("en")


def test_a_retyped_property_is_an_error_doctor_explains(world: World) -> None:
    world.provision("en")
    source_id = world.binding.database("opportunities").data_source_id
    world.person.data_sources.update(
        source_id, properties={"Amount": {"rich_text": {}}}
    )

    assert any("Amount is rich_text, not number" in e for e in errors(world))


def test_a_second_data_source_is_a_warning(world: World) -> None:
    world.provision("en")
    database = world.binding.database("opportunities").database_id
    world.person.data_sources.create(
        parent={"type": "database_id", "database_id": database},
        properties={"Name": {"title": {}}},
        title=[{"text": {"content": "Archive 2025"}}],
    )

    warnings = [f.what for f in findings(world) if f.severity == "warning"]
    assert any("2 data sources" in w for w in warnings)


def test_another_workspace_token_is_an_error(world: World) -> None:
    world.provision("en")
    world.emulator.add_token("secret_other", workspace="other")
    other = NotionGateway(
        "secret_other",
        GatewayConfig(base_url="http://emulator.local", pace_rps=0),
        transport=world.transport,
    )
    try:
        problems = diagnose(other, world.schema, world.store.binding())
    finally:
        other.close()

    assert "another" in problems[0].what or "workspace" in problems[0].what


class Tampering(httpx.BaseTransport):
    """Changes request bodies on their way to Notion, as a misbehaving API might."""

    def __init__(self, inner: httpx.BaseTransport, path: str, drop: str) -> None:
        self.inner = inner
        self.path = path
        self.drop = drop

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path == self.path:
            import json

            body = json.loads(request.read())
            self._remove(body)
            request = httpx.Request(
                request.method, request.url, headers=request.headers, json=body
            )
        return self.inner.handle_request(request)

    def _remove(self, body: dict[str, Any]) -> None:
        if self.drop == "filter":
            body.pop("filter", None)
        else:
            props = body["initial_data_source"]["properties"]
            props.pop(self.drop, None)


def provision_through(world: World, transport: httpx.BaseTransport) -> Any:
    gateway = NotionGateway(
        "secret_emulator",
        GatewayConfig(base_url="http://emulator.local", pace_rps=0),
        transport=transport,
    )
    try:
        return Provisioner(gateway, world.store, world.schema, "en").run(
            world.emulator.root_page_id
        )
    finally:
        gateway.close()


def test_f24_f25_a_property_notion_did_not_create_stops_provisioning(
    world: World,
) -> None:
    tampering = Tampering(world.transport, "/v1/databases", drop="Amount")

    with pytest.raises(WorkspaceError, match="did not create"):
        provision_through(world, tampering)


def test_f28_a_view_that_lost_its_filter_is_reported(world: World) -> None:
    tampering = Tampering(world.transport, "/v1/views", drop="filter")

    result = provision_through(world, tampering)

    dropped = [w for w in result.warnings if "filter was dropped" in w]
    assert len(dropped) == 4  # open deals, launched, archive, follow-ups


def test_a_trashed_database_is_reported_and_never_rebuilt(world: World) -> None:
    world.provision("en")
    interactions = world.binding.database("interactions").database_id
    world.person.databases.update(interactions, in_trash=True)

    assert errors(world) == ["Database Interactions is in Notion's trash."]
    with pytest.raises(WorkspaceError, match="trash"):
        world.provision("en")


def test_another_parent_on_the_same_store_is_refused(world: World) -> None:
    world.provision("en")
    other = world.person.pages.create(
        parent={"type": "page_id", "page_id": world.emulator.root_page_id},
        properties={"title": {"title": [{"text": {"content": "Elsewhere"}}]}},
    )
    provisioner = Provisioner(world.gateway, world.store, world.schema, "en")

    with pytest.raises(WorkspaceError, match="not under"):
        provisioner.run(str(other["id"]))


def test_the_dashboard_itself_is_refused_as_a_parent(tmp_path: Path) -> None:
    first = World(tmp_path / "first")
    try:
        first.provision("en")
        dashboard = first.binding.dashboard_page_id
        assert dashboard is not None
        first.store.close()
        first.store = StateStore(tmp_path / "second.db")
        provisioner = Provisioner(first.gateway, first.store, first.schema, "en")
        with pytest.raises(WorkspaceError, match="is a notion-crm dashboard"):
            provisioner.run(dashboard)
    finally:
        first.close()
