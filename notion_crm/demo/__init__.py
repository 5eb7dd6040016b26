"""``notion-crm demo``: the sample data, the story replayed on it, and its display.

:mod:`.sample` builds and loads the fictional data set, :mod:`.story` holds the
person's edits with the figures expected after each one, and :mod:`.render` draws
the dashboard in the terminal. The CLI wires them to the emulator and the engine.
"""

from notion_crm.demo.render import render_dashboard, render_summary
from notion_crm.demo.sample import SampleData, SampleHandles, build_sample, load_sample
from notion_crm.demo.story import (
    EXPECTED_KPIS,
    STORY,
    Step,
    StoryContext,
    expected_story_values,
    story_steps,
)

__all__ = [
    "EXPECTED_KPIS",
    "STORY",
    "SampleData",
    "SampleHandles",
    "Step",
    "StoryContext",
    "build_sample",
    "expected_story_values",
    "load_sample",
    "render_dashboard",
    "render_summary",
    "story_steps",
]
