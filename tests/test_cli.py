"""The command line: help, exit codes, and the commands against a served emulator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from notion_crm.cli import main
from notion_crm.demo.story import EXPECTED_KPIS
from notion_crm.emulator import Emulator, EmulatorConfig, start_server

COMMANDS = [
    "demo",
    "emulator",
    "provision",
    "doctor",
    "sync",
    "run",
    "status",
    "history",
]


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """An emulator over HTTP on loopback, and a config.toml pointing at it."""
    emulator = Emulator(EmulatorConfig(rate_limit_rps=0))
    handle = start_server(emulator, host="127.0.0.1", port=0)
    (tmp_path / "config.toml").write_text(
        f'[notion]\nbase_url = "{handle.base_url}"\npace_rps = 0\n'
        '[state]\npath = "state.db"\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NOTION_TOKEN", "secret_emulator")
    yield emulator
    handle.shutdown()


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])

    assert result.exit_code == 0
    assert "Usage:" in result.output
    assert len(result.output.splitlines()) > 3


def test_unknown_option_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["sync", "--bogus"])

    assert result.exit_code == 2


def test_demo_json_ends_with_the_story_figures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTION_CRM_NOW", "2026-12-03T09:00:00Z")

    result = CliRunner().invoke(main, ["demo", "--json"])

    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    final = payload["cycles"][-1]
    assert final["step"] == "refused"
    assert final["kpis"] == pytest.approx(EXPECTED_KPIS["refused"])
    assert payload["provision_requests"] < 80


def test_demo_prints_the_dashboard(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTION_CRM_NOW", "2026-12-03T09:00:00Z")

    result = CliRunner().invoke(main, ["demo"])

    assert result.exit_code == 0, result.output
    assert "Conversion rate" in result.output
    assert "63%" in result.output
    assert "Demo finished" in result.output


def test_provision_sync_status_and_history_on_a_served_emulator(
    served: Emulator,
) -> None:
    runner = CliRunner()

    provision = runner.invoke(
        main, ["provision", "--parent", served.root_page_id, "--json"]
    )
    assert provision.exit_code == 0, provision.output
    built = json.loads(provision.stdout)
    assert set(built["databases"]) == {
        "companies",
        "contacts",
        "opportunities",
        "interactions",
    }

    again = runner.invoke(main, ["provision", "--json"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["created"] == []

    sync = runner.invoke(main, ["sync", "--once", "--json"])
    assert sync.exit_code == 0, sync.output
    report = json.loads(sync.stdout)
    assert set(report) >= {
        "pages_read",
        "pages_written",
        "blocks_written",
        "transitions",
        "kpis",
        "requests",
        "rate_limited",
        "duration_s",
    }
    assert report["kpis"]["conversion_rate"] is None
    assert report["kpis"]["prospects"] == 0

    status = runner.invoke(main, ["status", "--json"])
    assert status.exit_code == 0, status.output
    assert [r["kind"] for r in json.loads(status.stdout)["runs"]] == [
        "incremental",
        "provision",
        "provision",
    ]

    doctor = runner.invoke(main, ["doctor"])
    assert doctor.exit_code == 0, doctor.output
    assert "All good" in doctor.output

    history = runner.invoke(main, ["history", "No such deal"])
    assert history.exit_code == 1
    assert "No opportunity" in history.output


def test_sync_before_provision_says_what_to_do(served: Emulator) -> None:
    result = CliRunner().invoke(main, ["sync", "--once"])

    assert result.exit_code == 1
    assert "provision" in result.output


def test_provision_without_parent_says_what_to_do(served: Emulator) -> None:
    result = CliRunner().invoke(main, ["provision"])

    assert result.exit_code == 1
    assert "--parent" in result.output


def test_provision_refuses_a_link_that_is_not_notion(served: Emulator) -> None:
    result = CliRunner().invoke(
        main,
        [
            "provision",
            "--parent",
            "https://example.com/0123456789abcdef0123456789abcdef",
        ],
    )

    assert result.exit_code == 1
    assert "not a Notion URL" in result.output


def test_dry_run_writes_nothing(served: Emulator) -> None:
    served.reset_stats()

    result = CliRunner().invoke(
        main, ["provision", "--parent", served.root_page_id, "--dry-run", "--json"]
    )

    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert plan["dry_run"] is True
    kinds = [a["action"] for a in plan["actions"]]
    assert kinds[0] == "create_dashboard" and kinds.count("create_database") == 4
    body = next(a for a in plan["actions"] if a["action"] == "create_database")["body"]
    assert "initial_data_source" in body and "properties" not in body
    methods = {row["method"] for row in served.stats()["requests"]}
    assert methods == {"GET"}
