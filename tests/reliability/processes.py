"""Real processes: ``notion-crm emulator serve`` and the CLI, on 127.0.0.1 only.

:class:`EmulatorServer` starts the emulator as a subprocess on a free port, reads
its start-up line, drives its ``/_emulator/`` extras and always stops it, even when
a test fails. :func:`run_cli` runs one command with a timeout; :func:`run_killed`
runs one and kills it with SIGKILL while the emulator holds its request after the
k-th.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

CLI = (sys.executable, "-m", "notion_crm")
START_TIMEOUT_S = 20.0
RUN_TIMEOUT_S = 120.0
TOKEN = "secret_kill_test_token_0123456789"
PERSON_TOKEN = "person_kill_test_token"
NOW = "2026-03-10T09:00:00+00:00"
"""The fixed instant of every process: the emulator's clock and NOTION_CRM_NOW."""


@dataclass
class ServerInfo:
    """The emulator's start-up line."""

    base_url: str
    token: str
    person_token: str
    root_page_id: str


class EmulatorServer:
    """``notion-crm emulator serve --port 0 --rate-limit 0`` as a child process."""

    def __init__(self, data: Path, *, token: str = TOKEN, log: Path) -> None:
        self.data = data
        self.token = token
        self.log = log
        self.process: subprocess.Popen[str] | None = None
        self.info: ServerInfo | None = None
        self._http: httpx.Client | None = None

    def start(self) -> ServerInfo:
        """Start the server and wait for its start-up line."""
        args = [
            *CLI,
            "emulator",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--rate-limit",
            "0",
            "--data",
            str(self.data),
            "--token",
            self.token,
            "--person-token",
            PERSON_TOKEN,
            "--json",
        ]
        self.process = subprocess.Popen(
            args,
            stdout=subprocess.PIPE,
            stderr=self.log.open("a", encoding="utf-8"),
            text=True,
            env=_clean_env(),
        )
        line = _read_line(self.process, START_TIMEOUT_S)
        raw = json.loads(line)
        self.info = ServerInfo(**raw)
        self._http = httpx.Client(base_url=self.info.base_url, timeout=30)
        self.control("clock", {"now": NOW})
        return self.info

    def stop(self) -> None:
        """Release held requests and stop the server (SIGTERM, then SIGKILL)."""
        if self._http is not None:
            with suppress(httpx.HTTPError):
                self.control("hold", {"after": None})
            self._http.close()
            self._http = None
        _terminate(self.process)

    def control(self, name: str, payload: dict[str, Any] | None = None) -> Any:
        """POST (or GET for ``stats``) one ``/_emulator/`` extra."""
        assert self._http is not None, "start the server first"
        if name == "stats":
            answer = self._http.get("/_emulator/stats")
        else:
            answer = self._http.post(f"/_emulator/{name}", json=payload or {})
        answer.raise_for_status()
        return answer.json()

    def integration_requests(self) -> int:
        """``/v1/`` requests of the integration answered since the last reset."""
        rows = self.control("stats")["requests"]
        return sum(r["count"] for r in rows if r["caller"] == "integration")

    def reset(self) -> None:
        """Back to the start-up state (the data file as loaded), clock frozen."""
        self.control("hold", {"after": None})
        self.control("reset")
        self.control("clock", {"now": NOW})


@contextmanager
def emulator_server(
    data: Path, *, log: Path, token: str = TOKEN
) -> Iterator[EmulatorServer]:
    """An :class:`EmulatorServer`, stopped whatever happens."""
    server = EmulatorServer(data, token=token, log=log)
    try:
        server.start()
        yield server
    finally:
        server.stop()


def cli_env(
    workdir: Path, info: ServerInfo, *, token: str | None = None
) -> dict[str, str]:
    """The environment of a CLI run against the server, config in ``workdir``."""
    config = workdir / "config.toml"
    if not config.exists():
        config.write_text(
            "[notion]\npace_rps = 0\n\n[state]\n"
            f'path = "{(workdir / "state.db").as_posix()}"\n',
            encoding="utf-8",
        )
        config.chmod(0o600)
    env = _clean_env()
    env.update(
        NOTION_TOKEN=token or info.token,
        NOTION_BASE_URL=info.base_url,
        NOTION_CRM_CONFIG=str(config),
        NOTION_CRM_NOW=NOW,
    )
    return env


def run_cli(
    args: list[str],
    env: Mapping[str, str],
    *,
    cwd: Path,
    timeout: float = RUN_TIMEOUT_S,
) -> subprocess.CompletedProcess[str]:
    """Run ``notion-crm ARGS`` to its end (or fail the test at ``timeout``)."""
    return subprocess.run(
        [*CLI, *args],
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_killed(
    server: EmulatorServer,
    args: list[str],
    env: Mapping[str, str],
    *,
    cwd: Path,
    after: int,
    apply: bool,
    settle_s: float = 0.15,
) -> bool:
    """Run ``notion-crm ARGS``, SIGKILL it once request ``after + 1`` is held.

    Returns ``False`` if the command finished before reaching the hold (``after``
    is past its total), ``True`` if it was killed. Held requests are released
    (dropped) before returning.
    """
    server.control("stats/reset")
    server.control("hold", {"after": after, "apply": apply})
    process = subprocess.Popen(
        [*CLI, *args],
        env=dict(env),
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + RUN_TIMEOUT_S
        while process.poll() is None and time.monotonic() < deadline:
            if server.integration_requests() >= after:
                # The next request is being sent or already held; the client has
                # nothing left to do but wait for it.
                time.sleep(settle_s)
                break
            time.sleep(0.01)
        finished = process.poll() is not None
        if not finished:
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        return not finished
    finally:
        _terminate(process)
        server.control("hold", {"after": None})


def _clean_env() -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "PYTHONPATH", "SYSTEMROOT", "TMPDIR")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env["PYTHONUNBUFFERED"] = "1"
    env["NO_PROXY"] = "127.0.0.1,localhost"
    return env


def _read_line(process: subprocess.Popen[str], timeout: float) -> str:
    lines: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        lines.append(process.stdout.readline())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout)
    if not lines or not lines[0].strip():
        _terminate(process)
        raise RuntimeError("the emulator did not print its start-up line in time")
    return lines[0]


def _terminate(process: subprocess.Popen[Any] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
