"""``notion-crm demo``: the whole product on the embedded emulator.

The demo runs the production code path end to end: the emulator sits under the real
notion-client as an httpx transport, the gateway, provisioner and sync engine are the
same as on a real workspace, and the sample data and story are typed in by "a person"
(the emulator's person token), as someone would in Notion's UI.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx
from notion_client import Client

from notion_crm.clock import Clock, clock_from_env
from notion_crm.demo.render import render_dashboard, render_summary
from notion_crm.demo.sample import SampleHandles, build_sample, load_sample
from notion_crm.demo.story import STORY, StoryContext
from notion_crm.emulator import Emulator, EmulatorConfig, EmulatorTransport
from notion_crm.notion.gateway import GatewayConfig, NotionGateway
from notion_crm.provision.apply import Provisioner
from notion_crm.schema.loader import load_schema
from notion_crm.schema.model import Locale, Schema
from notion_crm.settings import CrmSettings
from notion_crm.store.state import RunRecord, StateStore
from notion_crm.sync.engine import SyncEngine
from notion_crm.sync.report import CycleReport

logger = logging.getLogger(__name__)

DEMO_BASE_URL = "http://emulator.local"
"""notion-client needs a base URL; in-process, no request ever leaves the process."""


@dataclass(slots=True)
class DemoRun:
    """Everything a demo produced, for the CLI and for tests."""

    reports: list[tuple[str, CycleReport]] = field(default_factory=list)
    provision_requests: int = 0
    handles: SampleHandles | None = None
    duration_s: float = 0.0

    @property
    def final(self) -> CycleReport:
        return self.reports[-1][1]


Show = Callable[[str, str | None, CycleReport, dict[str, str]], None]


def run_demo(
    *,
    locale: Locale = "en",
    keep: Path | None = None,
    clock: Clock | None = None,
    show: Show | None = None,
) -> DemoRun:
    """Provision, load the sample, replay the story with a cycle after each step."""
    started = time.monotonic()
    clock = clock or clock_from_env()
    workdir = keep or Path(_temp_dir())
    workdir.mkdir(parents=True, exist_ok=True)
    emulator = Emulator(
        EmulatorConfig(
            rate_limit_rps=0, data_path=workdir / "emulator.json" if keep else None
        ),
        clock=clock,
    )
    transport = EmulatorTransport(emulator)
    gateway = NotionGateway(
        "secret_emulator",
        GatewayConfig(base_url=DEMO_BASE_URL, pace_rps=0),
        transport=transport,
        clock=clock,
    )
    person = Client(
        auth="person_emulator",
        base_url=DEMO_BASE_URL,
        client=httpx.Client(transport=transport),
        retry=False,
    )
    store = StateStore(workdir / "state.db")
    schema = load_schema()
    run = DemoRun()
    try:
        _play(run, emulator, gateway, person, store, schema, locale, clock, show)
    finally:
        gateway.close()
        person.close()
        store.close()
    if keep:
        _write_config(keep, emulator.root_page_id, locale)
    run.duration_s = time.monotonic() - started
    return run


def _play(
    run: DemoRun,
    emulator: Emulator,
    gateway: NotionGateway,
    person: Client,
    store: StateStore,
    schema: Schema,
    locale: Locale,
    clock: Clock,
    show: Show | None,
) -> None:
    provisioner = Provisioner(gateway, store, schema, locale)
    provisioner.run(emulator.root_page_id)
    run.provision_requests = sum(gateway.stats.snapshot()["by_method"].values())
    binding = store.binding()
    assert binding is not None
    crm = CrmSettings(locale=locale)
    engine = SyncEngine(gateway, store, schema, crm, clock=clock)
    today: date = clock().astimezone(crm.zone).date()
    handles = load_sample(person, binding, build_sample(today), locale=locale)
    run.handles = handles
    previous: dict[str, str] = {}
    report = _cycle(engine, store, clock)
    run.reports.append(("loaded", report))
    if show:
        show("loaded", None, report, previous)
    context = StoryContext(
        client=person, binding=binding, handles=handles, locale=locale, today=today
    )
    for step in STORY:
        previous = dict(report.kpi_texts)
        step.apply(context)
        report = _cycle(engine, store, clock)
        run.reports.append((step.key, report))
        if show:
            show(step.key, step.title(locale), report, previous)


def _cycle(engine: SyncEngine, store: StateStore, clock: Clock) -> CycleReport:
    """One cycle, recorded in the store as the daemon would."""
    started = clock()
    report = engine.cycle()
    store.record_run(
        RunRecord(
            kind="incremental",
            started=started,
            duration_s=report.duration_s,
            requests=sum(report.requests.values()),
            pages_read=report.pages_read,
            pages_written=report.pages_written,
            error=None,
        )
    )
    return report


def _temp_dir() -> str:
    import tempfile

    return tempfile.mkdtemp(prefix="notion-crm-demo-")


def _write_config(folder: Path, root_page_id: str, locale: Locale) -> None:
    """A config.toml for going on with the kept emulator data."""
    (folder / "config.toml").write_text(
        "# Written by notion-crm demo --keep. Serve the kept data with:\n"
        "#   notion-crm emulator serve --data emulator.json --rate-limit 0\n"
        "# then: export NOTION_TOKEN=secret_emulator, and run any command here.\n"
        f"# The emulator's root page (the CRM's parent) is {root_page_id}.\n"
        "[notion]\n"
        'base_url = "http://127.0.0.1:8765"\n'
        "pace_rps = 0\n\n"
        "[crm]\n"
        f'locale = "{locale}"\n\n'
        "[state]\n"
        'path = "state.db"\n',
        encoding="utf-8",
    )


def render_step(console: object, locale: Locale) -> Show:
    """A :data:`Show` that draws each cycle with rich."""

    def show(
        key: str, title: str | None, report: CycleReport, previous: dict[str, str]
    ) -> None:
        render_dashboard(
            console,  # type: ignore[arg-type]
            title="notion-crm demo" if key == "loaded" else f"step: {key}",
            kpi_texts=report.kpi_texts,
            changes=report.changes,
            transitions=report.transitions,
            step_title=title
            or (
                "Sample data loaded, first sync"
                if locale == "en"
                else "Données d'exemple chargées, première synchro"
            ),
            requests=report.requests,
            previous_kpi_texts=previous or None,
            locale=locale,
        )

    return show


__all__ = ["DemoRun", "render_step", "render_summary", "run_demo"]
