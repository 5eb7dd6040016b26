"""Edits a person makes in Notion between two cycles, applied over HTTP.

Each edit goes through the emulator's API with the person token, as an edit in
Notion's UI would, and is mirrored on the in-memory data set, so that
:func:`benchmarks.generate.expected_values` predicts what the engine must write.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx

from benchmarks.generate import (
    STAGE_WEIGHTS,
    Dataset,
    GenOpportunity,
    relation_sizes,
    rich_text,
)
from notion_crm.schema.loader import load_schema

STAGE_ORDER = tuple(STAGE_WEIGHTS)
"""Stage keys in pipeline order."""

STAMPS = {
    "quote_sent": "quote_sent_on",
    "project_launched": "started_on",
    "project_completed": "completed_on",
    "refused": "closed_on",
}
"""Stages whose entry fills a date (``schemas/rules.toml``)."""


@dataclass(slots=True)
class Edit:
    """One PATCH a person sends, and its effect on the data set."""

    key: str
    properties: dict[str, Any]
    mirror: Callable[[], None]


@dataclass(slots=True)
class EditLog:
    """Stage changes applied so far (page key -> day) and pages given a stage date."""

    stage_changes: dict[str, date] = field(default_factory=dict)
    stamped: set[str] = field(default_factory=set)


def _name(db: str, key: str) -> str:
    return load_schema().workspace.database(db).properties[key].name("en")


def _stage_name(key: str) -> str:
    return load_schema().stage.option(key).name("en")


def apply_edits(
    client: httpx.Client, edits: list[Edit], ids: Mapping[str, str]
) -> None:
    """Send each edit as the person, then mirror it on the data set."""
    for edit in edits:
        answer = client.patch(
            f"/v1/pages/{ids[edit.key]}", json={"properties": edit.properties}
        )
        answer.raise_for_status()
        edit.mirror()


def stage_edit(data: Dataset, opp: GenOpportunity, stage: str, log: EditLog) -> Edit:
    """Move an opportunity to ``stage``; the engine stamps the date if empty."""

    def mirror() -> None:
        opp.stage = stage
        stamp = STAMPS.get(stage)
        if stamp and opp.stage_dates.get(stamp) is None:
            opp.stage_dates[stamp] = data.today
            log.stamped.add(opp.key)
        log.stage_changes[opp.key] = data.today

    prop = _name("opportunities", "stage")
    return Edit(opp.key, {prop: {"select": {"name": _stage_name(stage)}}}, mirror)


def pick_stage_change(data: Dataset) -> GenOpportunity:
    """A quoted opportunity with an amount, of a company under the 25-item cut."""
    sizes = relation_sizes(data)

    def small(key: str) -> bool:
        return all(n <= 25 for n in sizes.get(key, {}).values())

    for opp in data.opportunities:
        quoted = opp.stage == "quote_sent" and bool(opp.amount)
        if quoted and small(opp.company) and small(opp.key):
            return opp
    raise LookupError("no opportunity in Quote sent with an amount")


def one_percent_edits(
    data: Dataset, *, seed: int, log: EditLog, share: float = 0.01
) -> list[Edit]:
    """Edits of ``share`` of the pages, spread like the pages over the databases.

    Half the opportunity edits move the stage one step on and half change the
    Amount; half the interaction edits move the Date three days back and half
    change the Notes; company and contact edits touch no input of the engine.
    """
    rng = random.Random(seed + 2)
    edits: list[Edit] = []
    for db, pages in (
        ("companies", data.companies),
        ("contacts", data.contacts),
        ("opportunities", data.opportunities),
        ("interactions", data.interactions),
    ):
        count = max(1, round(len(pages) * share))
        for i, page in enumerate(rng.sample(pages, count)):
            edits.append(_edit(data, db, page, i, log))
    return edits


def _edit(data: Dataset, db: str, page: Any, i: int, log: EditLog) -> Edit:
    if db == "companies":
        prop = _name(db, "phone")
        return Edit(
            page.key, {prop: {"phone_number": f"+33 1 23 45 {i:02d} 00"}}, _noop
        )
    if db == "contacts":
        prop = _name(db, "job_title")
        return Edit(page.key, {prop: {"rich_text": rich_text("Responsable")}}, _noop)
    if db == "opportunities":
        return _opportunity_edit(data, page, i, log)
    return _interaction_edit(page, i)


def _noop() -> None:
    return None


def _opportunity_edit(data: Dataset, opp: GenOpportunity, i: int, log: EditLog) -> Edit:
    position = STAGE_ORDER.index(opp.stage)
    if i % 2 == 0 and position < STAGE_ORDER.index("project_completed"):
        return stage_edit(data, opp, STAGE_ORDER[position + 1], log)
    amount = (opp.amount or 0) + 500

    def mirror() -> None:
        opp.amount = amount

    return Edit(opp.key, {_name("opportunities", "amount"): {"number": amount}}, mirror)


def _interaction_edit(interaction: Any, i: int) -> Edit:
    if i % 2 == 0:
        day = interaction.day - timedelta(days=3)

        def mirror() -> None:
            interaction.day = day

        prop = _name("interactions", "date")
        return Edit(
            interaction.key, {prop: {"date": {"start": day.isoformat()}}}, mirror
        )
    prop = _name("interactions", "notes")
    text = rich_text("Compte rendu mis à jour")
    return Edit(interaction.key, {prop: {"rich_text": text}}, _noop)
