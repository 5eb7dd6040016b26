"""``notion-crm emulator serve``: the Notion API emulator over HTTP."""

from __future__ import annotations

import json
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

import click

from notion_crm.emulator import Emulator, EmulatorConfig, start_server
from notion_crm.emulator.faults import FaultSpecError


@click.group(name="emulator")
def emulator() -> None:
    """Run the stateful Notion API emulator."""


@emulator.command(name="serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option(
    "--port",
    default=8765,
    show_default=True,
    type=int,
    help="Port to listen on (0 picks a free port).",
)
@click.option(
    "--data",
    "data",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="JSON file loaded at start and saved after each change.",
)
@click.option(
    "--token",
    default="secret_emulator",
    show_default=True,
    help="The integration's token.",
)
@click.option(
    "--person-token",
    default="person_emulator",
    show_default=True,
    help="Token acting as a person in Notion's UI.",
)
@click.option(
    "--rate-limit",
    "rate_limit",
    default=3.0,
    show_default=True,
    type=float,
    help="Average requests per second for the integration (0 = off).",
)
@click.option(
    "--latency-ms",
    default=0,
    show_default=True,
    type=int,
    help="Added latency per integration request.",
)
@click.option("--faults", default="", help="Fault spec, e.g. '502:0.05,cap:500'.")
@click.option(
    "--seed", default=0, show_default=True, type=int, help="Seed for ids and faults."
)
@click.option(
    "--plan",
    type=click.Choice(["free", "paid"]),
    default="paid",
    show_default=True,
    help="Workspace plan.",
)
@click.option(
    "--members",
    default=1,
    show_default=True,
    type=int,
    help="Number of person users in the workspace.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the start line as JSON.")
def serve(
    host: str,
    port: int,
    data: Path | None,
    token: str,
    person_token: str,
    rate_limit: float,
    latency_ms: int,
    faults: str,
    seed: int,
    plan: str,
    members: int,
    as_json: bool,
) -> None:
    """Serve the emulator until SIGTERM or SIGINT.

    Example: notion-crm emulator serve --port 0 --data crm.json --json
    """
    config = EmulatorConfig(
        token=token,
        person_token=person_token,
        rate_limit_rps=rate_limit,
        latency_ms=latency_ms,
        faults=faults,
        seed=seed,
        data_path=data,
        plan=plan,
        members=members,
    )
    try:
        emu = Emulator(config)
    except FaultSpecError as exc:
        raise click.BadParameter(str(exc), param_hint="--faults") from exc
    handle = start_server(emu, host=host, port=port)
    info = {
        "base_url": handle.base_url,
        "token": token,
        "person_token": person_token,
        "root_page_id": emu.root_page_id,
    }
    if as_json:
        click.echo(json.dumps(info))
    else:
        click.echo(" ".join(f"{k}={v}" for k, v in info.items()))
    sys.stdout.flush()
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    while not stop.wait(0.5):
        pass
    handle.shutdown()
