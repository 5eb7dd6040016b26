"""What one sync cycle did, for the CLI, the daemon's run log and the demo."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

JsonValue = Any


@dataclass(frozen=True, slots=True)
class Change:
    """One owned value the cycle wrote (or would write, in a dry run)."""

    database: str
    page_id: str
    page_name: str
    property: str
    before: JsonValue
    after: JsonValue


@dataclass(frozen=True, slots=True)
class Transition:
    """A stage change seen by the engine."""

    page_id: str
    page_name: str
    from_stage: str | None
    to_stage: str | None
    edited: datetime
    seen: datetime

    def as_json(self) -> dict[str, JsonValue]:
        return {
            "page_id": self.page_id,
            "page_name": self.page_name,
            "from": self.from_stage,
            "to": self.to_stage,
            "edited": self.edited.isoformat(),
            "seen": self.seen.isoformat(),
        }


@dataclass(slots=True)
class CycleReport:
    """Counters and findings of one cycle; ``as_json`` is the ``--json`` output.

    In a dry run, ``pages_written`` and ``blocks_written`` count the writes the
    cycle would have sent.
    """

    full: bool = False
    dry_run: bool = False
    pages_read: int = 0
    pages_written: int = 0
    blocks_written: int = 0
    transitions: list[Transition] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    kpis: dict[str, JsonValue] = field(default_factory=dict)
    kpi_texts: dict[str, str] = field(default_factory=dict)
    requests: dict[str, int] = field(default_factory=dict)
    rate_limited: int = 0
    duration_s: float = 0.0
    pending: int = 0
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, JsonValue]:
        return {
            "pages_read": self.pages_read,
            "pages_written": self.pages_written,
            "blocks_written": self.blocks_written,
            "transitions": [t.as_json() for t in self.transitions],
            "kpis": self.kpis,
            "requests": {
                m: self.requests.get(m, 0) for m in ("GET", "POST", "PATCH", "DELETE")
            },
            "rate_limited": self.rate_limited,
            "duration_s": round(self.duration_s, 3),
            "full": self.full,
            "dry_run": self.dry_run,
            "pending": self.pending,
            "warnings": self.warnings,
        }
