"""Injectable time: the engine asks a :class:`Clock`, never ``datetime.now``.

``NOTION_CRM_NOW`` fixes the current time for a whole process (tests and demos).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import UTC, datetime

from notion_crm.errors import ConfigError

Clock = Callable[[], datetime]
"""A callable returning the current time as an aware UTC datetime."""

Sleep = Callable[[float], None]
"""A callable that waits the given number of seconds."""


def system_clock() -> datetime:
    """The machine's current time, in UTC."""
    return datetime.now(UTC)


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 instant; a value without offset is taken as UTC."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise ConfigError(
            f"Invalid time {text!r}.",
            hint="Use ISO 8601, for example 2026-03-01T09:30:00+01:00.",
        ) from exc
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def fixed_clock(instant: datetime) -> Clock:
    """A clock stopped at ``instant``."""
    frozen = instant.astimezone(UTC)
    return lambda: frozen


def clock_from_env() -> Clock:
    """The clock of this process: ``NOTION_CRM_NOW`` when set, else the system's."""
    fixed = os.environ.get("NOTION_CRM_NOW")
    if fixed:
        return fixed_clock(parse_instant(fixed))
    return system_clock


def real_sleep(seconds: float) -> None:
    """Wait for real; the default :data:`Sleep`."""
    if seconds > 0:
        time.sleep(seconds)
