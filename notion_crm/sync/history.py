"""An opportunity's stage history, from the transitions the engine recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from notion_crm.schema.loader import load_schema
from notion_crm.store.state import StateStore


@dataclass(frozen=True, slots=True)
class StageStay:
    """One stage an opportunity entered, and how long it stayed there."""

    stage_id: str | None
    stage_name: str
    entered: datetime
    left: datetime | None
    duration: timedelta

    @property
    def duration_text(self) -> str:
        days = self.duration.days
        hours, rest = divmod(self.duration.seconds, 3600)
        minutes = rest // 60
        suffix = " (current)" if self.left is None else ""
        return f"{days} d {hours} h {minutes:02d} min{suffix}"

    def as_json(self) -> dict[str, object]:
        return {
            "stage": self.stage_name,
            "stage_id": self.stage_id,
            "entered": self.entered.isoformat(),
            "left": self.left.isoformat() if self.left else None,
            "seconds": int(self.duration.total_seconds()),
        }


def stage_history(store: StateStore, page_id: str, *, now: datetime) -> list[StageStay]:
    """Each stage entered, in order, with the time spent in it (until ``now``)."""
    transitions = store.transitions(page_id)
    names = _stage_names(store)
    stays = []
    for index, transition in enumerate(transitions):
        following = transitions[index + 1] if index + 1 < len(transitions) else None
        left = following.edited if following else None
        stays.append(
            StageStay(
                stage_id=transition.to_stage,
                stage_name=names.get(
                    transition.to_stage or "", transition.to_stage or "(none)"
                ),
                entered=transition.edited,
                left=left,
                duration=(left or now) - transition.edited,
            )
        )
    return stays


def _stage_names(store: StateStore) -> dict[str, str]:
    binding = store.binding()
    if binding is None or "opportunities" not in binding.databases:
        return {}
    stage = binding.database("opportunities").properties.get("stage")
    spec = load_schema().stage
    names = {}
    for key, option_id in (stage.options if stage else {}).items():
        if not key.startswith("~"):
            names[option_id] = spec.option(key).name(binding.locale)
    return names
