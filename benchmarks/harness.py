"""Processes of a benchmark: the emulator, the CLI, and what they cost.

Every server listens on 127.0.0.1 only and is stopped by the context manager that
started it, on success and on failure alike. CLI runs are reaped with ``os.wait4``,
which gives each child's own CPU time and peak memory (``ru_maxrss``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import httpx

from benchmarks.measured import PEAK_FILE_ENV
from notion_crm.emulator import Emulator, EmulatorConfig, start_server

HOST = "127.0.0.1"
"""The only address benchmarks serve on or talk to."""

TOKEN = "secret_emulator"
"""The integration's token (the emulator's default)."""

PERSON_TOKEN = "person_emulator"
"""The person token: edits as in Notion's UI, never rate limited."""

METHODS = ("GET", "POST", "PATCH", "DELETE")

REPO = str(Path(__file__).resolve().parent.parent)
"""The repository root, put on ``PYTHONPATH`` so children find :mod:`benchmarks`."""

START_TIMEOUT_S = 180.0
"""How long an emulator may take to load its data file and listen."""

CLI_TIMEOUT_S = 3_600.0
"""How long one CLI run may take before it is killed."""


@dataclass(frozen=True, slots=True)
class Counts:
    """The integration's ``/v1/`` requests, as the emulator's stats count them."""

    by_method: dict[str, int]
    rate_limited: int
    by_path: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Every request, 429s included."""
        return sum(self.by_method.values())

    @property
    def reads(self) -> int:
        """GETs plus data source queries and searches (POSTs that change nothing)."""
        queries = sum(
            n for path, n in self.by_path.items() if path.endswith(("/query", "search"))
        )
        return self.by_method.get("GET", 0) + queries

    @property
    def writes(self) -> int:
        """Requests that change something."""
        return self.total - self.reads

    @classmethod
    def from_stats(cls, stats: Mapping[str, Any]) -> Counts:
        """Parse ``GET /_emulator/stats``, keeping the integration's requests."""
        by_method = dict.fromkeys(METHODS, 0)
        by_path: dict[str, int] = {}
        limited = 0
        for row in stats.get("requests", []):
            if row["caller"] != "integration":
                continue
            count = int(row["count"])
            by_method[row["method"]] = by_method.get(row["method"], 0) + count
            key = f"{row['method']} {row['path']}"
            by_path[key] = by_path.get(key, 0) + count
            if int(row["status"]) == 429:
                limited += count
        return cls(by_method, limited, by_path)


class Emulated(Protocol):
    """A running emulator, whichever way it was started."""

    base_url: str
    root_page_id: str

    def control(self, name: str, body: Mapping[str, Any] | None = None) -> Any:
        """Call one ``/_emulator/`` extra."""
        ...


def _control(base_url: str, name: str, body: Mapping[str, Any] | None) -> Any:
    url = f"{base_url}/_emulator/{name}"
    with httpx.Client(timeout=60) as client:
        if body is None:
            answer = client.get(url)
        else:
            answer = client.post(url, json=dict(body))
    answer.raise_for_status()
    return answer.json()


def stats(emu: Emulated) -> Counts:
    """The integration's requests since the last reset."""
    return Counts.from_stats(emu.control("stats"))


def reset_stats(emu: Emulated) -> None:
    """Zero the request counts."""
    emu.control("stats/reset", {})


def set_clock(emu: Emulated, now: datetime) -> None:
    """Freeze the emulator's clock at ``now``."""
    emu.control("clock", {"now": now.isoformat()})


class EmulatorProcess:
    """``notion-crm emulator serve`` in a subprocess, on 127.0.0.1 and a free port."""

    def __init__(
        self, data: Path, *, rate_limit: float, latency_ms: int, log: Path
    ) -> None:
        self.data = data
        self.rate_limit = rate_limit
        self.latency_ms = latency_ms
        self.log = log
        self.base_url = ""
        self.root_page_id = ""
        self._proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> EmulatorProcess:
        command = [
            *cli_command(),
            "emulator",
            "serve",
            "--host",
            HOST,
            "--port",
            "0",
            "--data",
            str(self.data),
            "--rate-limit",
            str(self.rate_limit),
            "--latency-ms",
            str(self.latency_ms),
            "--json",
        ]
        with self.log.open("ab") as log:
            self._proc = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=log, env=_child_env({})
            )
        try:
            info = json.loads(_first_line(self._proc, START_TIMEOUT_S))
        except BaseException:
            self._stop()
            raise
        self.base_url = str(info["base_url"])
        self.root_page_id = str(info["root_page_id"])
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop()

    def _stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()

    def control(self, name: str, body: Mapping[str, Any] | None = None) -> Any:
        """Call one ``/_emulator/`` extra over HTTP."""
        return _control(self.base_url, name, body)


def _first_line(proc: subprocess.Popen[bytes], timeout_s: float) -> str:
    """The first stdout line of ``proc``, or RuntimeError after ``timeout_s``."""
    box: list[bytes] = []
    assert proc.stdout is not None
    reader = threading.Thread(
        target=lambda: box.append(proc.stdout.readline()),  # type: ignore[union-attr]
        daemon=True,
    )
    reader.start()
    reader.join(timeout_s)
    if not box or not box[0].strip():
        raise RuntimeError(f"the emulator did not start (exit code {proc.poll()})")
    return box[0].decode()


class InProcessEmulator:
    """An emulator loaded from a data file, served from this process, not saving.

    The rate-limit-off runs (first-ever run, baseline) send thousands of PATCHes;
    ``emulator serve --data`` saves the whole file after each one, which would
    measure JSON dumps instead of the engine. This copy loads the file and then
    forgets its path, so nothing is written back.
    """

    def __init__(self, data: Path) -> None:
        self.data = data
        self.base_url = ""
        self.root_page_id = ""
        self._handle: Any = None
        self.emulator: Emulator | None = None

    def __enter__(self) -> InProcessEmulator:
        emu = Emulator(EmulatorConfig(data_path=self.data, rate_limit_rps=0))
        emu.config = dataclasses.replace(emu.config, data_path=None)
        self._handle = start_server(emu, host=HOST, port=0)
        self.emulator = emu
        self.base_url = str(self._handle.base_url)
        self.root_page_id = emu.root_page_id
        return self

    def __exit__(self, *exc: object) -> None:
        if self._handle is not None:
            self._handle.shutdown()
            self._handle = None

    def control(self, name: str, body: Mapping[str, Any] | None = None) -> Any:
        """Call one ``/_emulator/`` extra over HTTP."""
        return _control(self.base_url, name, body)


# ---- the CLI ---------------------------------------------------------------------


def cli_command() -> list[str]:
    """How to run ``notion-crm`` with this interpreter."""
    return [sys.executable, "-m", "notion_crm"]


def measured_command() -> list[str]:
    """``notion-crm`` through :mod:`benchmarks.measured`, which records peak memory."""
    return [sys.executable, "-m", "benchmarks.measured"]


def _child_env(extra: Mapping[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTION")}
    env.update(extra)
    return env


@dataclass(frozen=True, slots=True)
class ProcResult:
    """One finished CLI run and what it cost, from ``os.wait4``."""

    returncode: int
    stdout: str
    stderr: str
    wall_s: float
    cpu_s: float
    maxrss_mb: float

    def json(self) -> dict[str, Any]:
        """The ``--json`` object printed on stdout."""
        if self.returncode != 0:
            raise RuntimeError(
                f"notion-crm exited {self.returncode}: {self.stderr[-2000:]}"
            )
        parsed: dict[str, Any] = json.loads(self.stdout)
        return parsed


def run_process(
    command: Sequence[str], *, cwd: Path, env: Mapping[str, str], timeout_s: float
) -> ProcResult:
    """Run a command to its end; reap it with ``wait4`` to get its own CPU time.

    Peak memory is the ``VmHWM`` that :mod:`benchmarks.measured` records, when the
    command runs through it; else 0. The child is killed if this process is
    interrupted while it runs.
    """
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryDirectory() as scratch,
    ):
        peak = Path(scratch) / "peak"
        started = time.monotonic()
        proc = subprocess.Popen(
            list(command),
            stdout=out,
            stderr=err,
            cwd=cwd,
            env=_child_env({**env, PEAK_FILE_ENV: str(peak), "PYTHONPATH": REPO}),
        )
        status, usage = _reap(proc, timeout_s)
        wall = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        return ProcResult(
            returncode=os.waitstatus_to_exitcode(status),
            stdout=out.read().decode(),
            stderr=err.read().decode(),
            wall_s=wall,
            cpu_s=usage.ru_utime + usage.ru_stime,
            maxrss_mb=int(peak.read_text()) / 1024 if peak.exists() else 0.0,
        )


def _reap(proc: subprocess.Popen[bytes], timeout_s: float) -> tuple[int, Any]:
    watchdog = threading.Timer(timeout_s, proc.kill)
    watchdog.daemon = True
    watchdog.start()
    try:
        _pid, status, usage = os.wait4(proc.pid, 0)
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    finally:
        watchdog.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return status, usage


@dataclass(slots=True)
class Cli:
    """Runs ``notion-crm`` in a work directory holding ``config.toml``."""

    workdir: Path
    now: datetime

    def write_config(self, base_url: str, *, pace_rps: float) -> None:
        """Point ``config.toml`` at an emulator."""
        text = (
            f'[notion]\nbase_url = "{base_url}"\npace_rps = {pace_rps}\n\n'
            '[state]\npath = "state.db"\n'
        )
        (self.workdir / "config.toml").write_text(text, encoding="utf-8")

    def run(self, *args: str) -> ProcResult:
        """One command, with the token and the benchmark's fixed "now"."""
        env = {"NOTION_TOKEN": TOKEN, "NOTION_CRM_NOW": self.now.isoformat()}
        return run_process(
            [*measured_command(), *args],
            cwd=self.workdir,
            env=env,
            timeout_s=CLI_TIMEOUT_S,
        )

    def advance(self, emu: Emulated, seconds: float) -> None:
        """Move the emulator's clock and the engine's "now" together."""
        self.now += timedelta(seconds=seconds)
        emu.control("clock", {"advance_s": seconds})


def startup_cpu_s(workdir: Path, runs: int = 3) -> float:
    """CPU time of an empty CLI run (interpreter and imports), the least of ``runs``.

    ``notion-crm sync --help`` (through the same wrapper as measured runs) imports
    the whole sync path (engine, gateway, notion-client, httpx) and does nothing else.
    """
    costs = [
        run_process(
            [*measured_command(), "sync", "--help"],
            cwd=workdir,
            env={},
            timeout_s=120,
        ).cpu_s
        for _ in range(runs)
    ]
    return min(costs)


@contextlib.contextmanager
def person_client(emu: Emulated) -> Iterator[httpx.Client]:
    """An HTTP client acting as a person in Notion's UI (the person token)."""
    headers = {
        "Authorization": f"Bearer {PERSON_TOKEN}",
        "Notion-Version": "2025-09-03",
    }
    with httpx.Client(base_url=emu.base_url, headers=headers, timeout=60) as client:
        yield client
