"""The daemon: ticks on an injected clock, the scheduler's job, the lock, signals."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from notion_crm.daemon import Daemon
from notion_crm.errors import LockedError
from notion_crm.settings import SyncSettings
from notion_crm.store.state import StateStore
from tests.world import TOKEN, World, error_response


def _daemon(world: World, interval_s: float = 30) -> Daemon:
    settings = SyncSettings(interval_s=interval_s, full_every_s=3600)
    return Daemon(
        world.engine, world.store, settings, clock=world.clock, monotonic=lambda: 0.0
    )


def test_ticks_run_cycles_and_a_full_reconcile_when_due(crm: World) -> None:
    daemon = _daemon(crm)
    kinds = []
    for _ in range(4):
        outcome = daemon.tick()
        assert outcome.error is None and outcome.report is not None
        kinds.append(outcome.full)
        crm.clock.advance(seconds=30)
    crm.clock.advance(seconds=3600)
    kinds.append(daemon.tick().full)
    # The first tick reconciles (none on record), the next ones poll; an hour later
    # a full reconcile is due again.
    assert kinds == [True, False, False, False, True]
    runs = crm.store.recent_runs(10)
    assert [r.kind for r in runs][:5] == [
        "full",
        "incremental",
        "incremental",
        "incremental",
        "full",
    ]


def test_a_restarted_daemon_does_not_redo_a_recent_full_reconcile(
    crm: World,
) -> None:
    _daemon(crm).tick()
    crm.clock.advance(minutes=10)
    again = _daemon(crm)
    assert again.full_due(crm.clock()) is False
    assert again.tick().full is False
    crm.clock.advance(hours=1)
    assert again.full_due(crm.clock()) is True


def test_a_failing_cycle_is_recorded_and_the_next_tick_goes_on(crm: World) -> None:
    daemon = _daemon(crm)
    daemon.tick()

    def broken(request: httpx.Request) -> httpx.Response:
        return error_response(request, 400, "validation_error", "broken query")

    crm.hooked.hooks.append(broken)
    crm.clock.advance(seconds=30)
    failed = daemon.tick()
    assert failed.error is not None and "broken query" in failed.error
    crm.hooked.hooks.clear()
    crm.clock.advance(seconds=30)
    assert daemon.tick().error is None
    runs = crm.store.recent_runs(2)
    assert runs[0].error is None and runs[1].error is not None


def test_two_401_in_a_row_stop_the_daemon(crm: World) -> None:
    daemon = _daemon(crm)
    daemon.tick()
    crm.emulator.revoke_token(TOKEN)
    daemon.tick()
    assert daemon.stopped_for is None  # one may be a glitch
    daemon.tick()
    assert daemon.stopped_for is not None
    assert "token" in daemon.stopped_for.message.lower()


def test_the_scheduler_job_runs_one_cycle_at_a_time(crm: World) -> None:
    daemon = _daemon(crm, interval_s=45)
    scheduler = daemon.build_scheduler()
    (job,) = scheduler.get_jobs()
    assert job.max_instances == 1
    assert job.coalesce is True
    assert job.misfire_grace_time == 45
    assert job.trigger.interval == timedelta(seconds=45)
    assert job.func == daemon.tick


def test_a_second_instance_refuses_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with (
        StateStore.lock(path),
        pytest.raises(LockedError, match="Another notion-crm process"),
        StateStore.lock(path),
    ):
        pass  # pragma: no cover


def _serve_emulator(
    env: dict[str, str],
) -> tuple[subprocess.Popen[str], dict[str, str]]:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "notion_crm",
            "emulator",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--rate-limit",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert server.stdout is not None
    line = server.stdout.readline()
    fields = dict(part.split("=", 1) for part in line.split())
    return server, fields


def test_sigterm_finishes_the_cycle_and_exits_0(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTION")}
    server, info = _serve_emulator(env)
    try:
        config = tmp_path / "config.toml"
        config.write_text(
            f'[notion]\nbase_url = "{info["base_url"]}"\npace_rps = 0\n\n'
            f'[sync]\ninterval_s = 0.2\n\n[state]\npath = "{tmp_path / "s.db"}"\n',
            encoding="utf-8",
        )
        env["NOTION_TOKEN"] = info["token"]
        cli = [sys.executable, "-m", "notion_crm"]
        subprocess.run(
            [
                *cli,
                "provision",
                "--parent",
                info["root_page_id"],
                "--config",
                str(config),
            ],
            check=True,
            env=env,
            capture_output=True,
            timeout=60,
        )
        daemon = subprocess.Popen(
            [*cli, "run", "--config", str(config)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        store = StateStore(tmp_path / "s.db", readonly=True)
        deadline = time.monotonic() + 20
        while len(store.recent_runs(5)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        daemon.send_signal(signal.SIGTERM)
        _out, err = daemon.communicate(timeout=20)
        assert daemon.returncode == 0, err
        runs = [r for r in store.recent_runs(50) if r.kind != "provision"]
        store.close()
        # The first cycle is a full reconcile, the next ones poll; none failed.
        assert len(runs) >= 2 and all(r.error is None for r in runs)
        assert runs[-1].kind == "full" and runs[0].kind == "incremental"
    finally:
        server.terminate()
        server.wait(timeout=10)
