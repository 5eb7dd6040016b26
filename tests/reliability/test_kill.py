"""Kill tests: ``provision`` and ``sync --once`` killed with SIGKILL, then run again.

The emulator runs as ``notion-crm emulator serve`` on 127.0.0.1 and holds the
integration's request after the k-th (applied first, or not). The command is killed
while it waits, the hold is dropped, and the command runs again: the workspace must
then equal the one an uninterrupted run leaves, object by object, with no duplicate.
The full sweep over every k is slow; one representative kill of each command runs
in the normal suite.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import httpx
import pytest
from notion_client import Client

from notion_crm.demo.sample import build_sample, load_sample
from notion_crm.demo.story import STORY, StoryContext
from notion_crm.emulator import Emulator, EmulatorConfig, EmulatorTransport, persistence
from notion_crm.notion.gateway import GatewayConfig, NotionGateway
from notion_crm.provision.apply import Provisioner
from notion_crm.schema.loader import load_schema
from notion_crm.settings import CrmSettings
from notion_crm.store.state import StateStore
from notion_crm.sync.engine import SyncEngine
from tests.reliability.processes import (
    NOW,
    PERSON_TOKEN,
    TOKEN,
    EmulatorServer,
    ServerInfo,
    cli_env,
    emulator_server,
    run_cli,
    run_killed,
)
from tests.reliability.snapshot import Snapshot, snapshot_text

TODAY = date.fromisoformat(NOW[:10])
STORY_UNTIL = "quote_sent"
"""The warm scenario replays the story up to this step before the killed cycle."""


@dataclass
class Scenario:
    """A command, the state it starts from, and what running it whole gives."""

    name: str
    args: list[str]
    workdir: Path
    start_state: Path | None
    server: EmulatorServer
    reference: Snapshot | None = None
    total: int = 0

    def prepare(self) -> None:
        """Workspace back to its start, state store back to its start."""
        self.server.reset()
        for suffix in ("", "-wal", "-shm"):
            (self.workdir / f"state.db{suffix}").unlink(missing_ok=True)
        if self.start_state is not None:
            shutil.copy(self.start_state, self.workdir / "state.db")

    def snapshot(self) -> Snapshot:
        return snapshot_text(self.server.data.read_text(encoding="utf-8"))

    def run_whole(self) -> Snapshot:
        self.prepare()
        env = cli_env(self.workdir, self._info)
        self.server.control("stats/reset")
        done = run_cli(self.args, env, cwd=self.workdir)
        assert done.returncode == 0, done.stderr
        self.total = self.server.integration_requests()
        self.reference = self.snapshot()
        assert self.reference.duplicates() == {}
        return self.reference

    def kill_and_rerun(self, after: int, *, apply: bool) -> tuple[bool, Snapshot]:
        self.prepare()
        env = cli_env(self.workdir, self._info)
        killed = run_killed(
            self.server, self.args, env, cwd=self.workdir, after=after, apply=apply
        )
        again = run_cli(self.args, env, cwd=self.workdir)
        assert again.returncode == 0, (
            f"{self.name} after a kill at k={after} (apply={apply}) failed:\n"
            f"{again.stdout}\n{again.stderr}"
        )
        return killed, self.snapshot()

    @property
    def _info(self) -> ServerInfo:
        assert self.server.info is not None
        return self.server.info


def _fixed_now() -> datetime:
    return datetime.fromisoformat(NOW)


def _build_start(folder: Path, *, story: bool) -> tuple[Path, Path]:
    """Provision, load the sample (sync once and replay part of the story).

    Built in this process on the in-process emulator, through the same gateway,
    provisioner and engine as the CLI, then saved as a data file for the served
    emulator. Returns that file and the state store to start from.
    """
    folder.mkdir(parents=True, exist_ok=True)
    emulator = Emulator(
        EmulatorConfig(rate_limit_rps=0, token=TOKEN, person_token=PERSON_TOKEN),
        clock=_fixed_now,
    )
    transport = EmulatorTransport(emulator)
    gateway = NotionGateway(
        TOKEN,
        GatewayConfig(base_url="http://emulator.local", pace_rps=0),
        transport=transport,
        clock=_fixed_now,
    )
    person = Client(
        auth=PERSON_TOKEN,
        base_url="http://emulator.local",
        client=httpx.Client(transport=transport),
        retry=False,
    )
    store = StateStore(folder / "state.db")
    try:
        schema = load_schema()
        Provisioner(gateway, store, schema, "en").run(emulator.root_page_id)
        binding = store.binding()
        assert binding is not None
        handles = load_sample(person, binding, build_sample(TODAY), locale="en")
        if story:
            engine = SyncEngine(gateway, store, schema, CrmSettings(), clock=_fixed_now)
            engine.cycle()
            context = StoryContext(person, binding, handles, "en", TODAY)
            for step in STORY:
                step.apply(context)
                if step.key == STORY_UNTIL:
                    break
        persistence.save(emulator.store, folder / "emulator.json")
    finally:
        gateway.close()
        person.close()
        store.close()
    return folder / "emulator.json", folder / "state.db"


@pytest.fixture(scope="module")
def kill_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("kill")


def _scenario(root: Path, name: str) -> Iterator[Scenario]:
    workdir = root / name
    workdir.mkdir()
    data = workdir / "emulator.json"
    start_state: Path | None = None
    if name == "provision":
        args = ["provision", "--parent", "{root}"]
    else:
        source, state = _build_start(root / f"{name}-start", story=name == "story")
        shutil.copy(source, data)
        start_state = root / f"{name}-start.db"
        shutil.copy(state, start_state)
        args = ["sync", "--once"]
    with emulator_server(data, log=workdir / "emulator.log") as server:
        assert server.info is not None
        args = [a.replace("{root}", server.info.root_page_id) for a in args]
        scenario = Scenario(name, args, workdir, start_state, server)
        scenario.run_whole()
        yield scenario


@pytest.fixture(scope="module")
def provision_run(kill_root: Path) -> Iterator[Scenario]:
    yield from _scenario(kill_root, "provision")


@pytest.fixture(scope="module")
def cold_sync(kill_root: Path) -> Iterator[Scenario]:
    yield from _scenario(kill_root, "cold")


@pytest.fixture(scope="module")
def story_sync(kill_root: Path) -> Iterator[Scenario]:
    yield from _scenario(kill_root, "story")


def _assert_converges(scenario: Scenario, after: int, *, apply: bool) -> bool:
    killed, final = scenario.kill_and_rerun(after, apply=apply)
    assert scenario.reference is not None
    assert final.duplicates() == {}
    differences = final.diff(scenario.reference)
    assert differences == [], (
        f"{scenario.name}, kill at k={after} apply={apply}:\n"
        + "\n".join(differences[:20])
    )
    return killed


def test_provision_killed_mid_run_converges(provision_run: Scenario) -> None:
    after = provision_run.total // 2
    assert _assert_converges(provision_run, after, apply=True)


def test_sync_killed_mid_cycle_converges(story_sync: Scenario) -> None:
    after = story_sync.total - 3
    assert _assert_converges(story_sync, after, apply=True)


@pytest.mark.slow
@pytest.mark.parametrize("apply", [True, False], ids=["applied", "not-applied"])
@pytest.mark.parametrize("name", ["provision_run", "cold_sync", "story_sync"])
def test_killed_at_every_request_converges(
    name: str, apply: bool, request: pytest.FixtureRequest
) -> None:
    scenario: Scenario = request.getfixturevalue(name)
    killed = [
        after
        for after in range(scenario.total)
        if _assert_converges(scenario, after, apply=apply)
    ]
    assert len(killed) >= scenario.total - 1, killed
