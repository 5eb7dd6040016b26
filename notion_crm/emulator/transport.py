"""An httpx transport that serves requests from an :class:`Emulator` in-process."""

from __future__ import annotations

import httpx

from notion_crm.emulator.core import Emulator
from notion_crm.emulator.errors import DroppedConnection, SimulatedTimeout


class EmulatorTransport(httpx.BaseTransport):
    """Routes every request to the emulator; no socket is opened.

    Faults that drop the connection raise :class:`httpx.RemoteProtocolError`; the
    ``timeout`` faults raise :class:`httpx.ReadTimeout`.
    """

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Serve ``request`` through the emulator."""
        body = request.read()
        target = request.url.raw_path.decode("ascii")
        try:
            status, headers, payload = self.emulator.handle(
                request.method, target, dict(request.headers), body
            )
        except SimulatedTimeout as exc:
            raise httpx.ReadTimeout("emulated read timeout", request=request) from exc
        except DroppedConnection as exc:
            raise httpx.RemoteProtocolError(
                "emulated connection drop: server closed the connection",
                request=request,
            ) from exc
        return httpx.Response(status, headers=headers, content=payload, request=request)
