"""``notion-crm demo``: the product end to end, with no Notion account."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from notion_crm.cli.common import emit_json, json_option, reported_errors
from notion_crm.demo.run import render_step, render_summary, run_demo
from notion_crm.demo.story import OPPORTUNITY
from notion_crm.sync.report import CycleReport


@click.command()
@click.option(
    "--keep",
    type=click.Path(path_type=Path, file_okay=False),
    help="Keep the emulator data and state in DIR.",
)
@click.option(
    "--locale", type=click.Choice(["en", "fr"]), default="en", show_default=True
)
@json_option
def demo(keep: Path | None, locale: str, as_json: bool) -> None:
    """Run the whole product on the embedded emulator: provision, sample, story.

    Example: notion-crm demo --keep ./demo
    """
    with reported_errors(as_json):
        console = Console()
        show = None if as_json else render_step(console, locale)  # type: ignore[arg-type]
        result = run_demo(locale=locale, keep=keep, show=show)  # type: ignore[arg-type]
        if as_json:
            emit_json(
                {
                    "provision_requests": result.provision_requests,
                    "cycles": [
                        {"step": key, **report.as_json()}
                        for key, report in result.reports
                    ],
                    "duration_s": round(result.duration_s, 3),
                }
            )
            return
        totals: dict[str, int] = {}
        for _, report in result.reports:
            _add(totals, report)
        story = OPPORTUNITY.name(locale)  # type: ignore[arg-type]
        commands = None
        if keep is not None:
            commands = [
                f"cd {keep}",
                "notion-crm emulator serve --data emulator.json --rate-limit 0 &",
                "export NOTION_TOKEN=secret_emulator",
                "notion-crm status",
                f'notion-crm history "{story}"',
            ]
        render_summary(
            console,
            cycles=len(result.reports),
            duration_s=result.duration_s,
            requests=totals,
            keep_dir=keep,
            opportunity_name=story,
            commands=commands,
        )


def _add(totals: dict[str, int], report: CycleReport) -> None:
    for method, count in report.requests.items():
        totals[method] = totals.get(method, 0) + count
