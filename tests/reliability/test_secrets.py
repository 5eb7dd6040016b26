"""The token never leaks: a realistic run, then a grep of everything it left.

Provision, sync, status, doctor and history run as real processes with ``-v``
(debug logging) against ``notion-crm emulator serve`` on 127.0.0.1, through a 429,
an HTML 502, a JSON 502 and finally a revoked token (401). Every line they printed,
every file they wrote (state store and its WAL, config, the emulator's data file
and log) and every exception the gateway raised in this process are searched for
the token. The emulator's own start-up line, which prints the token on purpose, is
read by the test and kept out of the files searched.
"""

from __future__ import annotations

import traceback
from pathlib import Path

import pytest

from notion_crm.errors import NotionError
from notion_crm.notion.gateway import GatewayConfig, NotionGateway
from tests.reliability.processes import cli_env, emulator_server, run_cli

TOKEN = "secret_LEAKCHECK_9f3b7c2e51d84a6f"
"""Distinctive enough that any appearance is a leak, not a coincidence."""

FRAGMENTS = (TOKEN, TOKEN[7:], TOKEN[-12:])
"""The token and pieces of it: a truncated copy is a leak too."""


def _leaks(text: str) -> list[str]:
    return [fragment for fragment in FRAGMENTS if fragment in text]


def test_token_appears_nowhere(tmp_path: Path) -> None:
    outputs: list[tuple[str, str]] = []
    data = tmp_path / "emulator.json"
    with emulator_server(data, log=tmp_path / "emulator.log", token=TOKEN) as server:
        assert server.info is not None
        env = cli_env(tmp_path, server.info)
        parent = server.info.root_page_id

        def cli(*args: str, code: int = 0) -> None:
            done = run_cli(["-v", *args], env, cwd=tmp_path)
            outputs.append((" ".join(args), done.stdout + done.stderr))
            assert done.returncode == code, done.stdout + done.stderr

        cli("provision", "--parent", parent, "--json")
        server.control(
            "faults",
            {
                "spec": "429:1@POST /v1/data_sources/{id}/query,"
                "502html:1@POST /v1/data_sources/{id}/query,"
                "502:1@PATCH /v1/blocks/{id}",
                "seed": 1,
            },
        )
        cli("sync", "--once", "--json")
        cli("sync", "--once", "--full")
        server.control("faults", {"spec": ""})
        cli("status", "--json")
        cli("doctor", "--json")
        cli("history", "nothing-by-that-name", code=1)
        cli("provision", "--parent", "0" * 32, code=1)
        server.control("tokens", {"token": TOKEN, "revoked": True})
        cli("sync", "--once", "--json", code=1)
        cli("provision", "--json", code=1)

        in_process = _gateway_errors(server.info.base_url)

    retried = next(o for c, o in outputs if c.startswith("sync --once --json"))
    assert "HTML" in retried or "502" in retried, "the faults were injected"
    assert "401" in outputs[-1][1]

    for command, text in outputs:
        assert _leaks(text) == [], f"token in the output of {command}"
    for text in in_process:
        assert _leaks(text) == [], f"token in an exception: {text[:300]}"
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name == "state.db" for p in files)
    for path in files:
        content = path.read_bytes().decode("utf-8", errors="replace")
        assert _leaks(content) == [], f"token in {path}"


def _gateway_errors(base_url: str) -> list[str]:
    """Exception texts, reprs and tracebacks of failed calls, with their causes."""
    gateway = NotionGateway(
        TOKEN,
        GatewayConfig(base_url=base_url, pace_rps=0, max_attempts=1),
    )
    texts: list[str] = []
    try:
        for call in (gateway.me, lambda: gateway.retrieve_page("0" * 32)):
            with pytest.raises(NotionError) as caught:
                call()
            error = caught.value
            texts.append(str(error))
            texts.append(repr(error))
            texts.append("".join(traceback.format_exception(error)))
            texts.append(repr(error.__cause__))
            texts.append(repr(vars(error.__cause__ or error)))
        texts.append(repr(gateway))
    finally:
        gateway.close()
    return texts
