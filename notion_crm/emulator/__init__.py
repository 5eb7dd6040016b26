"""A stateful, in-memory emulator of the Notion API (version 2025-09-03).

It serves notion-client in-process through :class:`EmulatorTransport` or over HTTP
through :func:`start_server`, with Notion's shapes, limits, errors and failures.
See ``docs/emulator.md``.
"""

from notion_crm.emulator.config import EmulatorConfig
from notion_crm.emulator.core import Emulator
from notion_crm.emulator.server import ServerHandle, start_server
from notion_crm.emulator.transport import EmulatorTransport

__all__ = [
    "Emulator",
    "EmulatorConfig",
    "EmulatorTransport",
    "ServerHandle",
    "start_server",
]
