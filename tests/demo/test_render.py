"""The demo's terminal output, rendered to a plain 80-column console."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from rich.console import Console

from notion_crm.demo.render import render_dashboard, render_summary
from notion_crm.sync.report import Change, Transition

KPI_TEXTS_EN = {
    "prospects": "Prospects\n8",
    "active_opportunities": "Active opportunities\n14",
    "quotes_in_discussion": "Quotes in discussion\n7",
    "pending_pipeline": "Pending pipeline\n€37,450",
    "conversion_rate": "Conversion rate\n67%",
    "projects_running": "Projects running\n2",
    "projects_completed": "Projects completed\n2",
    "signed_revenue": "Signed revenue\n€16,500",
    "follow_ups_due": "Follow-ups due\n4",
}
KPI_TEXTS_FR = {
    "prospects": "Prospects\n8",
    "active_opportunities": "Opportunités actives\n14",
    "quotes_in_discussion": "Devis en discussion\n7",
    "pending_pipeline": "Prévisionnel en attente\n37\u202f450\u00a0€",
    "conversion_rate": "Taux de conversion\n67\u00a0%",
    "projects_running": "Projets en cours\n2",
    "projects_completed": "Projets terminés\n2",
    "signed_revenue": "CA signé\n16\u202f500\u00a0€",
    "follow_ups_due": "Relances à faire\n4",
}
EDITED = datetime(2026, 3, 15, 9, 30, tzinfo=UTC)


def plain_console() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, width=80, force_terminal=False), buffer


def change(page: str, prop: str, before: object, after: object) -> Change:
    return Change("opportunities", f"id-{page}", page, prop, before, after)


def render(**overrides: object) -> str:
    console, buffer = plain_console()
    arguments: dict[str, object] = {
        "title": "CRM — after the sample is loaded",
        "kpi_texts": KPI_TEXTS_EN,
        "changes": [],
        "transitions": [],
        "step_title": None,
        "requests": {"GET": 12, "POST": 3, "PATCH": 8},
    }
    arguments.update(overrides)
    render_dashboard(console, **arguments)  # type: ignore[arg-type]
    return buffer.getvalue()


def test_render_dashboard_shows_every_kpi_label_and_value() -> None:
    output = render()

    for text in KPI_TEXTS_EN.values():
        label, value = text.split("\n")
        assert label in output
        assert value in output


def test_render_dashboard_lays_kpis_out_three_by_three_in_order() -> None:
    lines = render().splitlines()

    def line_of(label: str) -> int:
        return next(i for i, line in enumerate(lines) if label in line)

    rows = [line_of(KPI_TEXTS_EN[key].split("\n")[0]) for key in KPI_TEXTS_EN]
    assert rows[0] == rows[1] == rows[2] < rows[3] == rows[4] == rows[5]
    assert rows[5] < rows[6] == rows[7] == rows[8]


def test_render_dashboard_fits_80_columns_without_escape_codes() -> None:
    changes = [
        change(
            "Site et portfolio de jardins pour Orsetti", "Needs follow-up", False, True
        )
    ]
    output = render(changes=changes, kpi_texts=KPI_TEXTS_FR, locale="fr")

    assert max(len(line) for line in output.splitlines()) <= 80
    assert "\x1b[" not in output
    assert "37\u202f450\u00a0€" in output
    assert "Prévisionnel en attente" in output


def test_render_dashboard_lists_changes_before_and_after() -> None:
    changes = [
        change("Vitrine et enseigne", "Last interaction", None, "2026-03-09"),
        change("Catalogue des luminaires", "Quote sent on", None, "2026-03-15"),
        change("Stand du salon de l'habitat", "Needs follow-up", True, False),
        Change(
            "companies", "id-c", "Boulangerie Martelot", "Signed revenue", 0, 6200.0
        ),
    ]
    output = render(changes=changes, step_title="Quote sent")

    assert "Quote sent" in output
    for prop in ("Last interaction", "Quote sent on", "Needs follow-up"):
        assert prop in output
    assert "— → 2026-03-15" in output
    assert "✓ → ✗" in output
    assert "0 → 6200" in output
    assert "Boulangerie Martelot" in output


def test_render_dashboard_says_when_nothing_changed() -> None:
    assert "The engine changed nothing this cycle." in render()


def test_render_dashboard_cuts_long_change_lists() -> None:
    changes = [
        change(f"Deal {n}", "Last interaction", None, "2026-03-01") for n in range(30)
    ]

    output = render(changes=changes, max_changes=5)

    assert "Deal 4" in output
    assert "Deal 5" not in output
    assert "and 25 more" in output


def test_render_dashboard_shows_transitions_and_requests() -> None:
    transition = Transition(
        "id-1",
        "Catalogue des luminaires",
        "Quote to send",
        "Quote sent",
        EDITED,
        EDITED,
    )

    output = render(transitions=[transition])

    assert "Stage changes seen" in output
    assert "Quote to send" in output
    assert "2026-03-15 09:30" in output
    assert "GET 12 · POST 3 · PATCH 8 · DELETE 0" in output
    assert "(23 in all)" in output


def test_render_dashboard_marks_figures_that_moved() -> None:
    previous = {**KPI_TEXTS_EN, "prospects": "Prospects\n9"}

    output = render(previous_kpi_texts=previous)

    assert "9 → 8" in output
    assert "14 → 14" not in output


def test_render_dashboard_on_a_terminal_uses_colour() -> None:
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=80, force_terminal=True, color_system="standard"
    )

    render_dashboard(
        console,
        title="CRM",
        kpi_texts=KPI_TEXTS_EN,
        changes=[],
        transitions=[],
        step_title="Step 1/8",
        requests={},
    )

    assert "\x1b[" in buffer.getvalue()
    assert "€37,450" in buffer.getvalue()


def test_render_summary_explains_how_to_keep_going() -> None:
    console, buffer = plain_console()

    render_summary(
        console,
        cycles=9,
        duration_s=2.345,
        requests={"GET": 100, "POST": 101},
        keep_dir=None,
        opportunity_name="Lighting catalogue",
    )

    output = " ".join(buffer.getvalue().split())
    assert "9 sync cycles in 2.3 s, 201 requests" in output
    assert "--keep DIR" in output
    assert "notion-crm status" in output
    assert 'notion-crm history "Lighting catalogue"' in output


def test_render_summary_with_a_kept_directory_gives_the_commands() -> None:
    console, buffer = plain_console()

    render_summary(
        console,
        cycles=9,
        duration_s=1.0,
        requests={"GET": 1},
        keep_dir="/tmp/crm-demo [1]",
    )

    output = buffer.getvalue()
    assert "kept in /tmp/crm-demo [1]. Go on from there:" in output
    assert "$ cd /tmp/crm-demo [1]" in output
    assert "$ notion-crm status" in output
    assert '$ notion-crm history "OPPORTUNITY"' in output


def test_render_summary_speaks_french_and_takes_the_cli_commands() -> None:
    console, buffer = plain_console()

    render_summary(
        console,
        cycles=9,
        duration_s=2.25,
        requests={"GET": 1},
        keep_dir="demo",
        commands=["notion-crm --config demo/config.toml status"],
        locale="fr",
    )

    output = " ".join(buffer.getvalue().split())
    assert "Démo terminée : 9 cycles de synchronisation en 2,2 s" in output
    assert "conservés dans demo" in output
    assert "$ notion-crm --config demo/config.toml status" in output
    assert "cd demo" not in output
