"""Keeping the dashboard's callouts and its "figures as of" line current.

Callouts are updated in place, by block id. An incremental cycle writes a callout only
when its figure's text changes from what was last published; a full reconcile also
reads the callouts and puts right any that a person edited.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from notion_crm.errors import AccessError, InvalidRequestError
from notion_crm.notion import blocks
from notion_crm.notion.gateway import NotionGateway
from notion_crm.schema.binding import Binding
from notion_crm.schema.model import Locale

logger = logging.getLogger(__name__)

AS_OF_KEY = "__as_of__"
"""Key of the "figures as of" line among published texts."""

MONTHS = {
    "en": (
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "May",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Oct",
        "Nov",
        "Dec",
    ),
    "fr": (
        "janv.",
        "févr.",
        "mars",
        "avr.",
        "mai",
        "juin",
        "juil.",
        "août",
        "sept.",
        "oct.",
        "nov.",
        "déc.",
    ),
}


@dataclass(slots=True)
class DashboardOutcome:
    """What the dashboard update wrote."""

    written: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)


def as_of_text(prefix: str, now: datetime, zone: ZoneInfo, locale: Locale) -> str:
    """ "Figures as of 4 Dec 2026, 15:42" in the configured time zone."""
    local = now.astimezone(zone)
    month = MONTHS[locale][local.month - 1]
    return f"{prefix} {local.day} {month} {local.year}, {local:%H:%M}"


def texts_to_write(
    wanted: Mapping[str, str],
    published: Mapping[str, str],
    actual: Mapping[str, str] | None,
) -> dict[str, str]:
    """Callout texts that differ from what was published (or, if read, shown)."""
    due: dict[str, str] = {}
    for key, text in wanted.items():
        seen = actual.get(key) if actual is not None else published.get(key)
        if seen != text:
            due[key] = text
    return due


def read_callouts(gateway: NotionGateway, binding: Binding) -> dict[str, str]:
    """The text each callout shows now (a full reconcile reads them)."""

    def fetch(item: tuple[str, str]) -> tuple[str, str]:
        key, block_id = item
        try:
            block = gateway.retrieve_block(block_id)
        except AccessError:
            return key, ""
        return key, "" if blocks.is_trashed(block) else blocks.block_text(block)

    return dict(gateway.map(fetch, list(binding.callouts.items())))


def write_callouts(
    gateway: NotionGateway, binding: Binding, due: Mapping[str, str], as_of: str | None
) -> DashboardOutcome:
    """Update callouts in place, then the "figures as of" line."""
    outcome = DashboardOutcome()

    def update(item: tuple[str, str]) -> tuple[str, bool]:
        key, text = item
        block_id = binding.callouts.get(key)
        if block_id is None:
            return key, False
        try:
            gateway.update_block(block_id, blocks.callout_update(text))
        except (AccessError, InvalidRequestError) as exc:
            logger.warning(
                "callout %s cannot be updated (%s); run `notion-crm provision` to "
                "put it back",
                key,
                exc.message,
            )
            return key, False
        return key, True

    for key, ok in gateway.map(update, list(due.items())):
        if ok:
            outcome.written[key] = due[key]
        else:
            outcome.missing.append(key)
    if outcome.written and as_of is not None and binding.as_of_block_id:
        try:
            gateway.update_block(binding.as_of_block_id, blocks.paragraph_update(as_of))
            outcome.written[AS_OF_KEY] = as_of
        except (AccessError, InvalidRequestError) as exc:
            logger.warning(
                "the 'figures as of' line cannot be updated: %s", exc.message
            )
    return outcome
