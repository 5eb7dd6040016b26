"""Building the product's parts from settings: gateway, store, schema, engine.

The CLI, the daemon and the demo all assemble notion-crm here, so that every one of
them runs the same production code path.
"""

from __future__ import annotations

import httpx

from notion_crm.clock import Clock, clock_from_env
from notion_crm.notion.gateway import GatewayConfig, NotionGateway
from notion_crm.schema.loader import load_schema
from notion_crm.schema.model import Schema
from notion_crm.settings import Settings
from notion_crm.store.state import StateStore
from notion_crm.sync.engine import SyncEngine


def open_gateway(
    settings: Settings,
    *,
    transport: httpx.BaseTransport | None = None,
    clock: Clock | None = None,
    token: str | None = None,
) -> NotionGateway:
    """The gateway to Notion (or to an emulator, through ``transport``)."""
    config = GatewayConfig(
        base_url=settings.notion.base_url, pace_rps=settings.notion.pace_rps
    )
    return NotionGateway(
        token or settings.token(),
        config,
        transport=transport,
        clock=clock or clock_from_env(),
    )


def open_store(settings: Settings, *, readonly: bool = False) -> StateStore:
    return StateStore(settings.state.path, readonly=readonly)


def open_engine(
    settings: Settings,
    gateway: NotionGateway,
    store: StateStore,
    *,
    schema: Schema | None = None,
    clock: Clock | None = None,
) -> SyncEngine:
    return SyncEngine(
        gateway,
        store,
        schema or load_schema(),
        settings.crm,
        clock=clock or clock_from_env(),
    )
