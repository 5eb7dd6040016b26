"""The bad-input catalogue: each mistake a user can make, through the CLI.

Every case checks the exit code (1 for a failure the CLI explains, 2 for a usage
error), that the message says what happened and what to do next, and that nothing
was half-written: no state store where none should be, no object in the workspace
after a refused provision, the store as it was after a failed save. The emulator
serves over HTTP on 127.0.0.1, in this process; the commands run through click's
CliRunner. docs/reliability.md lists the catalogue.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result
from filelock import FileLock
from notion_client import Client

from notion_crm.cli import main
from notion_crm.demo.sample import build_sample, load_sample
from notion_crm.emulator import Emulator, EmulatorConfig, start_server
from notion_crm.emulator.server import ServerHandle
from notion_crm.schema.binding import Binding
from notion_crm.schema.loader import SCHEMA_DIR
from notion_crm.store.state import StateStore

NOW = "2026-03-10T09:00:00+00:00"
TOKEN = "secret_emulator"


@dataclass
class Bench:
    """An emulator on loopback, a working folder, and the environment of a run."""

    emulator: Emulator
    base_url: str
    tmp: Path
    env: dict[str, str | None] = field(default_factory=dict)

    @property
    def config(self) -> Path:
        return self.tmp / "config.toml"

    @property
    def state(self) -> Path:
        return self.tmp / "state.db"

    def write_config(self, text: str) -> None:
        self.config.write_text(text, encoding="utf-8")

    def run(self, *args: str) -> Result:
        return CliRunner().invoke(main, list(args), env=self.env)

    def provision(self) -> Binding:
        done = self.run("provision", "--parent", self.emulator.root_page_id)
        assert done.exit_code == 0, done.output
        return self.binding()

    def binding(self) -> Binding:
        store = StateStore(self.state, readonly=True)
        try:
            binding = store.binding()
        finally:
            store.close()
        assert binding is not None
        return binding

    def person(self) -> Client:
        return Client(
            auth="person_emulator",
            base_url=self.base_url,
            client=httpx.Client(timeout=30),
            retry=False,
        )

    def with_sample(self) -> Binding:
        binding = self.provision()
        person = self.person()
        try:
            load_sample(person, binding, build_sample(date(2026, 3, 10)), locale="en")
        finally:
            person.close()
        synced = self.run("sync", "--once")
        assert synced.exit_code == 0, synced.output
        return binding


def _fixed_now() -> datetime:
    return datetime.fromisoformat(NOW)


@dataclass
class Served:
    """An emulator served on 127.0.0.1 for a whole module, reset for each test."""

    emulator: Emulator
    handle: ServerHandle

    def bench(self, tmp: Path) -> Bench:
        self.emulator.set_hold(None)
        self.emulator.reset()
        built = Bench(self.emulator, self.handle.base_url, tmp)
        built.write_config('[notion]\npace_rps = 0\n[state]\npath = "state.db"\n')
        built.env = {
            "NOTION_TOKEN": TOKEN,
            "NOTION_BASE_URL": self.handle.base_url,
            "NOTION_CRM_CONFIG": str(built.config),
            "NOTION_CRM_NOW": NOW,
            "NOTION_CRM_SCHEMA_DIR": None,
        }
        return built


@contextmanager
def _served(data: Path | None) -> Iterator[Served]:
    emulator = Emulator(
        EmulatorConfig(rate_limit_rps=0, data_path=data), clock=_fixed_now
    )
    handle = start_server(emulator, host="127.0.0.1", port=0)
    try:
        yield Served(emulator, handle)
    finally:
        handle.shutdown()


@pytest.fixture(scope="module")
def empty_server() -> Iterator[Served]:
    with _served(None) as served:
        yield served


@pytest.fixture(scope="module")
def sample_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A workspace provisioned, loaded with the sample and synced once.

    Its state store is kept next to its data file, for each test to copy.
    """
    folder = tmp_path_factory.mktemp("sample")
    with _served(folder / "build.json") as served:
        built = served.bench(folder)
        built.write_config(
            f'[notion]\npace_rps = 0\n[state]\npath = "{folder / "state.db"}"\n'
        )
        built.with_sample()
    # The CLI ran in this process and may still hold the store open: fold the
    # WAL into the main file, so that copying that file copies everything.
    conn = sqlite3.connect(folder / "state.db")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    shutil.copy(folder / "build.json", folder / "emulator.json")
    with _served(folder / "emulator.json") as served:
        yield served


@pytest.fixture
def bench(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, empty_server: Served
) -> Bench:
    """An empty workspace (just the root page) and an empty working folder."""
    monkeypatch.chdir(tmp_path)
    return empty_server.bench(tmp_path)


@pytest.fixture
def sampled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample_server: Served
) -> Bench:
    """The sample workspace, provisioned and synced, with its state store."""
    monkeypatch.chdir(tmp_path)
    built = sample_server.bench(tmp_path)
    data = sample_server.emulator.config.data_path
    assert data is not None
    shutil.copy(data.parent / "state.db", tmp_path / "state.db")
    return built


def expect(result: Result, code: int, *fragments: str, report: bool = False) -> None:
    """Exit ``code``, every fragment in the output, no traceback.

    ``report``: the output is a list of findings (``doctor``), not one error.
    """
    text = result.stdout + result.stderr
    assert result.exit_code == code, text
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} not in:\n{text}"
    assert "Traceback" not in text
    if code == 1 and not report:
        assert "Error:" in result.stderr
        assert "→" in result.stderr, "a failure says what to do next"


# -- configuration and environment ----------------------------------------------


def test_config_flag_naming_a_missing_file(bench: Bench) -> None:
    result = bench.run("sync", "--once", "--config", "nope.toml")
    expect(result, 1, "Config file nope.toml does not exist", "config.example.toml")
    assert not bench.state.exists()


def test_config_env_naming_a_missing_file(bench: Bench) -> None:
    bench.env["NOTION_CRM_CONFIG"] = str(bench.tmp / "gone.toml")
    expect(bench.run("sync", "--once"), 1, "NOTION_CRM_CONFIG points to")
    assert not bench.state.exists()


CONFIG_CASES = [
    pytest.param("[notion\n", "is not valid TOML", id="malformed-toml"),
    pytest.param("[notion]\ntokn = 'x'\n", "unknown key notion.tokn", id="unknown-key"),
    pytest.param("[sink]\ninterval_s = 3\n", "unknown key sink", id="unknown-section"),
    pytest.param(
        '[notion]\npace_rps = "3"\n', "key notion.pace_rps", id="number-as-text"
    ),
    pytest.param(
        '[crm]\nformer_client_after_days = "365"\n',
        "key crm.former_client_after_days",
        id="days-as-text",
    ),
    pytest.param(
        "[crm]\nfollow_up_after_days = -1\n",
        "greater than or equal to 0",
        id="negative-days",
    ),
    pytest.param(
        '[crm]\ntimezone = "Mars/Olympus"\n', "unknown time zone", id="time-zone"
    ),
    pytest.param('[crm]\nlocale = "de"\n', "key crm.locale", id="locale"),
    pytest.param("[sync]\ninterval_s = 0\n", "key sync.interval_s", id="zero-interval"),
    pytest.param(
        '[notion]\nbase_url = "api.notion.com"\n',
        "key notion.base_url",
        id="base-url-without-scheme",
    ),
]


@pytest.mark.parametrize(("text", "message"), CONFIG_CASES)
def test_bad_config_file(bench: Bench, text: str, message: str) -> None:
    bench.env["NOTION_BASE_URL"] = None
    bench.write_config(text)

    expect(bench.run("sync", "--once"), 1, str(bench.config), message)
    assert not bench.state.exists()


def test_base_url_env_that_is_not_http(bench: Bench) -> None:
    bench.env["NOTION_BASE_URL"] = "ftp://127.0.0.1/notion"
    expect(bench.run("sync", "--once"), 1, "key notion.base_url", "https://")


def test_no_token(bench: Bench) -> None:
    bench.env["NOTION_TOKEN"] = None
    result = bench.run("provision", "--parent", bench.emulator.root_page_id)
    expect(result, 1, "NOTION_TOKEN is not set", "export NOTION_TOKEN=")


def test_fixed_time_in_the_wrong_format(sampled: Bench) -> None:
    bench = sampled
    bench.env["NOTION_CRM_NOW"] = "10/03/2026 09:00"
    expect(bench.run("sync", "--once"), 1, "Invalid time '10/03/2026 09:00'", "ISO")


def test_config_with_token_readable_by_others_warns(bench: Bench) -> None:
    bench.env["NOTION_TOKEN"] = None
    bench.write_config(
        f'[notion]\npace_rps = 0\ntoken = "{TOKEN}"\n[state]\npath = "state.db"\n'
    )
    bench.config.chmod(0o644)
    parent = bench.emulator.root_page_id
    result = bench.run("provision", "--dry-run", "--parent", parent)
    expect(result, 0, "others can read it", "chmod 600")
    assert TOKEN not in result.output

    bench.config.chmod(0o600)
    quiet = bench.run("provision", "--dry-run", "--parent", parent)
    expect(quiet, 0)
    assert "others can read it" not in quiet.stderr


# -- usage errors -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["provision", "--paren", "x"], "No such option", id="typo"),
        pytest.param(
            ["provision", "--locale", "de"], "'de' is not one of", id="locale"
        ),
        pytest.param(["history"], "Missing argument", id="missing-argument"),
        pytest.param(
            ["emulator", "serve", "--faults", "bogus:1"],
            "unknown kind 'bogus'",
            id="fault-spec",
        ),
    ],
)
def test_usage_error(bench: Bench, args: list[str], message: str) -> None:
    expect(bench.run(*args), 2, message, "--help")


# -- the parent page and access to Notion -----------------------------------------


def _refused_provision(bench: Bench, parent: str, *fragments: str) -> None:
    expect(bench.run("provision", "--parent", parent), 1, *fragments)
    assert bench.emulator.store.databases == {}, "nothing was created"


def test_parent_missing(bench: Bench) -> None:
    expect(bench.run("provision"), 1, "No parent page given", "--parent PAGE")


def test_parent_url_that_is_not_notions(bench: Bench) -> None:
    url = "https://example.com/My-CRM-" + bench.emulator.root_page_id.replace("-", "")
    _refused_provision(bench, url, "is not a Notion URL", "Copy link")


def test_parent_that_is_not_an_id(bench: Bench) -> None:
    _refused_provision(bench, "my-crm-page", "is not a Notion page id or link")


def test_parent_not_found(bench: Bench) -> None:
    _refused_provision(
        bench, "0" * 32, "was not found, or is not shared", "Connections"
    )


def test_parent_not_shared(bench: Bench) -> None:
    bench.emulator.share(bench.emulator.root_page_id, False)
    _refused_provision(
        bench, bench.emulator.root_page_id, "not shared", "add your integration"
    )


def test_parent_that_is_a_database(sampled: Bench) -> None:
    bench = sampled
    binding = bench.binding()
    database = binding.database("companies").database_id
    result = bench.run("provision", "--parent", database)
    expect(result, 1, "is a database, not a page", "plain page")


def test_bad_token(bench: Bench) -> None:
    bench.env["NOTION_TOKEN"] = "secret_mistyped"
    result = bench.run("provision", "--parent", bench.emulator.root_page_id)
    expect(result, 1, "401 unauthorized", "Check NOTION_TOKEN")
    assert "secret_mistyped" not in result.output


def test_revoked_token(sampled: Bench) -> None:
    bench = sampled
    bench.emulator.revoke_token(TOKEN)
    expect(bench.run("sync", "--once"), 1, "401", "integration may have been removed")


def test_token_for_another_workspace(bench: Bench) -> None:
    bench.emulator.add_token("secret_other_workspace", "other")
    bench.env["NOTION_TOKEN"] = "secret_other_workspace"
    _refused_provision(
        bench, bench.emulator.root_page_id, "not found, or is not shared"
    )


def test_notion_unreachable(sampled: Bench, monkeypatch: pytest.MonkeyPatch) -> None:
    bench = sampled
    closed = _closed_port()
    bench.env["NOTION_BASE_URL"] = f"http://127.0.0.1:{closed}"
    waits: list[float] = []
    monkeypatch.setattr("notion_crm.clock.time.sleep", waits.append)

    expect(bench.run("sync", "--once"), 1, "ConnectError", "connection")
    assert len(waits) >= 5, "a refused connection is retried with backoff"


# -- the state store --------------------------------------------------------------


def test_sync_before_provision(bench: Bench) -> None:
    expect(bench.run("sync", "--once"), 1, "knows no provisioned CRM", "provision")


def test_status_without_a_state_store(bench: Bench) -> None:
    expect(bench.run("status"), 1, "No state store at", "provision --parent")
    assert not bench.state.exists()


def test_state_store_from_a_newer_version(sampled: Bench) -> None:
    bench = sampled
    conn = sqlite3.connect(bench.state)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    for command in (["sync", "--once"], ["status"]):
        expect(bench.run(*command), 1, "version 99, newer than", "Upgrade notion-crm")
    conn = sqlite3.connect(bench.state)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 99
    conn.close()


@pytest.mark.parametrize(
    "command",
    [["sync", "--once"], ["status"], ["history", "x"]],
    ids=["sync", "status", "history"],
)
def test_state_store_that_is_not_a_database(bench: Bench, command: list[str]) -> None:
    bench.state.write_bytes(b"this is not a database" * 100)
    expect(bench.run(*command), 1, "is not a notion-crm state store", "[state] path")


def test_state_path_that_is_a_folder(bench: Bench) -> None:
    bench.state.mkdir()
    expect(bench.run("status"), 1, "is a folder, not a file", "[state] path")


def test_state_store_locked_by_another_process(sampled: Bench) -> None:
    bench = sampled
    with FileLock(str(bench.state) + ".lock"):
        expect(bench.run("sync", "--once"), 1, "Another notion-crm process")


class _FailingConnection(sqlite3.Connection):
    """Fails writes the way a read-only file or a full disk does."""

    failure = ""

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        verb = sql.strip().split()[0].upper() if sql.strip() else ""
        if self.failure == "readonly" and verb == "BEGIN":
            raise sqlite3.OperationalError("attempt to write a readonly database")
        if self.failure == "full" and verb == "COMMIT":
            raise sqlite3.OperationalError("database or disk is full")
        return super().execute(sql, *args)


def _failing_sqlite(monkeypatch: pytest.MonkeyPatch, failure: str) -> None:
    # Running as root makes chmod useless and a tiny tmpfs needs root: fail at
    # the sqlite3 boundary instead, with the errors SQLite itself raises.
    real_connect = sqlite3.connect

    class Failing(_FailingConnection):
        pass

    Failing.failure = failure

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        return real_connect(*args, factory=Failing, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", connect)


def _store_rows(path: Path) -> dict[str, list[Any]]:
    conn = sqlite3.connect(path)
    try:
        return {
            table: sorted(conn.execute(f"SELECT * FROM {table}").fetchall())
            for table in ("meta", "pages", "cursors", "transitions", "published")
        }
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("failure", "message"),
    [
        pytest.param("readonly", "is read-only", id="read-only"),
        pytest.param("full", "the disk is full", id="full-disk"),
    ],
)
def test_state_store_that_cannot_be_written(
    sampled: Bench, monkeypatch: pytest.MonkeyPatch, failure: str, message: str
) -> None:
    bench = sampled
    before = _store_rows(bench.state)
    _failing_sqlite(monkeypatch, failure)

    expect(bench.run("sync", "--once"), 1, message)

    monkeypatch.undo()
    assert _store_rows(bench.state) == before, "nothing half-written"


# -- schema files -------------------------------------------------------------------


def _schema_copy(bench: Bench) -> Path:
    folder = bench.tmp / "schemas"
    shutil.copytree(SCHEMA_DIR, folder)
    bench.env["NOTION_CRM_SCHEMA_DIR"] = str(folder)
    return folder


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


SchemaEdit = Callable[[Path], None]

SCHEMA_CASES: list[Any] = [
    pytest.param(
        lambda d: (d / "crm.toml").write_text("[workspace\n", encoding="utf-8"),
        "crm.toml",
        "not valid TOML",
        id="malformed-toml",
    ),
    pytest.param(
        lambda d: (d / "rules.toml").unlink(),
        "rules.toml",
        "is missing",
        id="missing-file",
    ),
    pytest.param(
        lambda d: _edit(
            d / "crm.toml", '"Refused / cancelled"', '"Refused, cancelled"'
        ),
        "crm.toml",
        "comma",
        id="label-with-comma",
    ),
    pytest.param(
        lambda d: _edit(d / "crm.toml", '"Follow-up"', '"' + "Follow-up " * 12 + '"'),
        "crm.toml",
        "100",
        id="label-too-long",
    ),
]


@pytest.mark.parametrize(("edit", "file", "message"), SCHEMA_CASES)
def test_schema_file_with_an_error(
    bench: Bench, edit: SchemaEdit, file: str, message: str
) -> None:
    folder = _schema_copy(bench)
    edit(folder)

    result = bench.run("provision", "--parent", bench.emulator.root_page_id)
    expect(result, 1, str(folder / file), message)
    assert bench.emulator.store.databases == {}


def test_schema_file_with_a_wrong_type_names_the_key(bench: Bench) -> None:
    folder = _schema_copy(bench)
    text = (folder / "crm.toml").read_text(encoding="utf-8")
    start = text.index('type = "number"')
    (folder / "crm.toml").write_text(
        text[:start] + 'type = "money"' + text[start + 15 :], encoding="utf-8"
    )
    result = bench.run("provision", "--parent", bench.emulator.root_page_id)
    expect(result, 1, "crm.toml", "key ")


# -- the workspace, as people change it ---------------------------------------------


def test_property_retyped_by_the_user(sampled: Bench) -> None:
    bench = sampled
    binding = bench.binding()
    opportunities = binding.database("opportunities")
    person = bench.person()
    amount = opportunities.properties["amount"].id
    person.request(
        f"data_sources/{opportunities.data_source_id}",
        "PATCH",
        body={"properties": {amount: {"rich_text": {}}}},
    )
    person.close()
    before = _store_rows(bench.state)

    expect(bench.run("sync", "--once"), 1, "amount", "nothing was written", "doctor")
    expect(
        bench.run("doctor"), 1, "Amount is rich_text, not number", "fix:", report=True
    )
    assert _store_rows(bench.state)["pages"] == before["pages"]


def test_relation_to_a_database_not_shared(sampled: Bench) -> None:
    bench = sampled
    binding = bench.binding()
    bench.emulator.share(binding.database("companies").database_id, False)

    expect(bench.run("sync", "--once"), 1, "404 object_not_found", "Connections")
    expect(
        bench.run("doctor"),
        1,
        "Companies is not shared with the integration",
        "fix:",
        report=True,
    )


def test_pages_with_empty_titles(sampled: Bench) -> None:
    bench = sampled
    binding = bench.binding()
    opportunities = binding.database("opportunities")
    person = bench.person()
    person.pages.create(
        parent={"data_source_id": opportunities.data_source_id},
        properties={
            "title": {"title": []},
            opportunities.properties["amount"].id: {"number": 1000},
        },
    )
    person.close()

    result = bench.run("sync", "--once", "--json")
    expect(result, 0, '"pages_read"')
    report = json.loads(result.stdout)
    assert report["kpis"]["active_opportunities"] == 14, "no stage, no figure"


def test_notes_over_2000_characters(sampled: Bench) -> None:
    bench = sampled
    binding = bench.binding()
    companies = binding.database("companies")
    notes = [{"text": {"content": "n" * 2000}}, {"text": {"content": "m" * 88}}]
    person = bench.person()
    person.pages.create(
        parent={"data_source_id": companies.data_source_id},
        properties={
            "title": {"title": [{"text": {"content": "Verbose SARL"}}]},
            companies.properties["notes"].id: {"rich_text": notes},
        },
    )
    person.close()

    result = bench.run("sync", "--once", "--json")
    expect(result, 0, '"prospects": 9')


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
