"""The demo's terminal output: the dashboard after each cycle, then how to go on.

Everything is written to the :class:`rich.console.Console` the CLI passes in, never
printed directly. The layout fits 80 columns; on a pipe or a file rich drops colours
and keeps the text, so the figures stay readable (and testable) there too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from notion_crm.schema.model import Locale
from notion_crm.sync.report import Change, Transition

MAX_CHANGE_ROWS = 12
"""Rows of the changes table; a first cycle changes far more, and says how many."""

_VALUE_WIDTH = 18
"""Longest before/after value shown; longer ones are cut with an ellipsis."""

_WORDS: dict[str, dict[Locale, str]] = {
    "changes": {"en": "What the engine changed", "fr": "Ce que le moteur a modifié"},
    "no_changes": {
        "en": "The engine changed nothing this cycle.",
        "fr": "Le moteur n'a rien modifié à ce cycle.",
    },
    "more": {"en": "… and {n} more", "fr": "… et {n} de plus"},
    "page": {"en": "Page", "fr": "Page"},
    "property": {"en": "Property", "fr": "Propriété"},
    "change": {"en": "Before → after", "fr": "Avant → après"},
    "transitions": {"en": "Stage changes seen", "fr": "Changements d'étape vus"},
    "from": {"en": "From", "fr": "De"},
    "to": {"en": "To", "fr": "À"},
    "edited": {"en": "Edited", "fr": "Modifié"},
    "requests": {"en": "Requests", "fr": "Requêtes"},
    "total": {"en": "in all", "fr": "au total"},
    "finished": {
        "en": "Demo finished: {cycles} sync cycles in {seconds} s, "
        "{requests} requests to the emulator.",
        "fr": "Démo terminée : {cycles} cycles de synchronisation en {seconds} s, "
        "{requests} requêtes à l'émulateur.",
    },
    "how_to_keep": {
        "en": "To go on exploring, run notion-crm demo --keep DIR: it keeps the "
        "emulator data and the state there, for notion-crm status and {history}.",
        "fr": "Pour continuer, lancez notion-crm demo --keep DIR : les données de "
        "l'émulateur et l'état y restent, pour notion-crm status et {history}.",
    },
    "kept": {
        "en": "Emulator data and state kept in {directory}. Go on from there:",
        "fr": "Données de l'émulateur et état conservés dans {directory}. "
        "Pour continuer :",
    },
}


def _word(key: str, locale: Locale) -> str:
    return _WORDS[key][locale]


def render_dashboard(
    console: Console,
    *,
    title: str,
    kpi_texts: Mapping[str, str],
    changes: Sequence[Change],
    transitions: Sequence[Transition],
    step_title: str | None,
    requests: Mapping[str, int],
    previous_kpi_texts: Mapping[str, str] | None = None,
    locale: Locale = "en",
    max_changes: int = MAX_CHANGE_ROWS,
) -> None:
    """Show one cycle: the nine KPIs, what the engine wrote, transitions, requests.

    Args:
        kpi_texts: KPI key -> the callout text, ``"Label\\nvalue"``, in reading order
            (the engine gives them in the order of ``rules.toml``).
        step_title: the story step this cycle follows, if any.
        previous_kpi_texts: the figures of the cycle before; those that moved are
            shown as ``before → after``, highlighted.
    """
    console.rule(Text(title, style="bold"))
    if step_title:
        console.print(Text(step_title, style="bold cyan"), justify="center")
    console.print(_kpi_grid(kpi_texts, previous_kpi_texts or {}))
    console.line()
    console.print(_changes_view(changes, locale, max_changes))
    if transitions:
        console.line()
        console.print(_transitions_table(transitions, locale))
    console.line()
    console.print(_requests_line(requests, locale))


def render_summary(
    console: Console,
    *,
    cycles: int,
    duration_s: float,
    requests: Mapping[str, int],
    keep_dir: Path | str | None,
    opportunity_name: str | None = None,
    commands: Sequence[str] | None = None,
    locale: Locale = "en",
) -> None:
    """The closing lines: what ran, then how to go on with the other commands.

    Args:
        keep_dir: where ``--keep`` left the emulator data and state, if it was given.
        opportunity_name: an opportunity to suggest to ``notion-crm history``.
        commands: the commands to suggest with ``keep_dir``; by default ``cd`` into
            it (assumed to hold the demo's ``config.toml``), ``status``, ``history``.
    """
    seconds = (
        f"{duration_s:.1f}" if locale == "en" else f"{duration_s:.1f}".replace(".", ",")
    )
    console.rule()
    console.print(
        _word("finished", locale).format(
            cycles=cycles, seconds=seconds, requests=sum(requests.values())
        ),
        markup=False,
    )
    history = f'notion-crm history "{opportunity_name or "OPPORTUNITY"}"'
    if keep_dir is None:
        console.print(
            _word("how_to_keep", locale).format(history=history), markup=False
        )
        return

    console.print(_word("kept", locale).format(directory=keep_dir), markup=False)
    suggested = commands or (f"cd {keep_dir}", "notion-crm status", history)
    for command in suggested:
        console.print(Text(f"  $ {command}", style="green"))


def _split(callout: str) -> tuple[str, str]:
    label, _, value = callout.partition("\n")
    return label.strip(), value.strip()


def _kpi_cell(callout: str, previous: str | None) -> Text:
    label, value = _split(callout)
    cell = Text(label, style="dim")
    cell.append("\n")
    before = None if previous is None else _split(previous)[1]
    if before is None or before == value:
        cell.append(value, style="bold")
        return cell

    cell.append(f"{before} → ", style="yellow")
    cell.append(value, style="bold yellow")
    return cell


def _kpi_grid(kpi_texts: Mapping[str, str], previous: Mapping[str, str]) -> Table:
    grid = Table(box=box.ROUNDED, show_header=False, show_lines=True, expand=True)
    for _ in range(3):
        grid.add_column(justify="center", ratio=1, overflow="fold")

    cells = [_kpi_cell(kpi_texts[key], previous.get(key)) for key in kpi_texts]
    for start in range(0, len(cells), 3):
        row = cells[start : start + 3]
        grid.add_row(*row, *([Text("")] * (3 - len(row))))
    return grid


def _format_value(value: Any) -> str:
    """A before/after value as a short text: dates, numbers, checkboxes, lists."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return _format_value(value.get("start", value.get("name", str(value))))
    if isinstance(value, list | tuple):
        return ", ".join(_format_value(item) for item in value)
    return _shorten(str(value), _VALUE_WIDTH)


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _changes_view(
    changes: Sequence[Change], locale: Locale, max_rows: int
) -> Table | Group | Text:
    """The changes grouped by database, each group under its name, to save a column."""
    if not changes:
        return Text(_word("no_changes", locale), style="dim")

    table = Table(
        title=_word("changes", locale),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
    )
    table.add_column(_word("page", locale), max_width=28, no_wrap=True)
    table.add_column(_word("property", locale), max_width=22, no_wrap=True)
    table.add_column(_word("change", locale), overflow="fold")
    shown = list(changes[:max_rows])
    for database in dict.fromkeys(change.database for change in shown):
        table.add_row(Text(database, style="bold"), "", "")
        for change in (c for c in shown if c.database == database):
            table.add_row(
                Text(f"  {change.page_name or change.page_id}"),
                change.property,
                f"{_format_value(change.before)} → {_format_value(change.after)}",
            )

    hidden = len(changes) - len(shown)
    if hidden <= 0:
        return table
    more = Text(_word("more", locale).format(n=hidden), style="dim")
    return Group(table, more)


def _transitions_table(transitions: Sequence[Transition], locale: Locale) -> Table:
    table = Table(
        title=_word("transitions", locale),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
    )
    table.add_column(_word("page", locale), max_width=26, no_wrap=True)
    table.add_column(_word("from", locale), max_width=18)
    table.add_column(_word("to", locale), max_width=18)
    table.add_column(_word("edited", locale), style="dim")
    for transition in transitions:
        table.add_row(
            transition.page_name or transition.page_id,
            transition.from_stage or "—",
            transition.to_stage or "—",
            transition.edited.strftime("%Y-%m-%d %H:%M"),
        )
    return table


def _requests_line(requests: Mapping[str, int], locale: Locale) -> Text:
    methods = ["GET", "POST", "PATCH", "DELETE"]
    methods += sorted(m for m in requests if m not in methods)
    parts = [f"{method} {requests.get(method, 0)}" for method in methods]
    line = Text(f"{_word('requests', locale)}: ", style="bold")
    line.append(" · ".join(parts), style="")
    line.append(f"  ({sum(requests.values())} {_word('total', locale)})", style="dim")
    return line
