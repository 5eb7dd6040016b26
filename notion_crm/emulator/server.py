"""The emulator over HTTP: a ThreadingHTTPServer on loopback, in a background thread."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from notion_crm.emulator.core import Emulator
from notion_crm.emulator.errors import DroppedConnection, SimulatedTimeout

logger = logging.getLogger(__name__)


def _handler_class(emulator: Emulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        """Hands every request to the emulator."""

        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            try:
                status, headers, payload = emulator.handle(
                    self.command, self.path, dict(self.headers.items()), body
                )
            except SimulatedTimeout:
                time.sleep(emulator.config.fault_timeout_s)
                self.close_connection = True
                return
            except DroppedConnection:
                self.close_connection = True
                return
            self.send_response(status)
            for name, value in headers.items():
                if name.lower() != "date":
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def date_time_string(self, timestamp: float | None = None) -> str:
            from notion_crm.emulator.ids import fmt_http_date

            return fmt_http_date(emulator.now())

        do_GET = _serve
        do_POST = _serve
        do_PATCH = _serve
        do_DELETE = _serve
        do_PUT = _serve

        def log_message(self, format: str, *args: object) -> None:
            logger.debug(format, *args)

    return Handler


@dataclass
class ServerHandle:
    """A running server: its URL, port, and how to stop it."""

    server: ThreadingHTTPServer
    thread: threading.Thread
    host: str
    port: int

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://{self.host}:{self.port}"

    def shutdown(self) -> None:
        """Stop serving and close the socket."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def start_server(
    emulator: Emulator, host: str = "127.0.0.1", port: int = 0
) -> ServerHandle:
    """Serve ``emulator`` on ``host:port`` (0 = a free port) in a daemon thread."""
    server = ThreadingHTTPServer((host, port), _handler_class(emulator))
    server.daemon_threads = True
    thread = threading.Thread(
        target=server.serve_forever, name="notion-emulator", daemon=True
    )
    thread.start()
    actual = int(server.server_address[1])
    logger.info("emulator listening on http://%s:%d", host, actual)
    return ServerHandle(server, thread, host, actual)
