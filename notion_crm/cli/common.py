"""Shared plumbing of the commands: options, output, errors and exit codes."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from notion_crm.errors import CRMError
from notion_crm.notion.redact import scrub
from notion_crm.settings import Settings, load_settings

F = TypeVar("F", bound=Callable[..., Any])

err_console = Console(stderr=True)


def config_option(func: F) -> F:
    return click.option(
        "--config",
        "config_path",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        help="Config file (default: $NOTION_CRM_CONFIG, else ./config.toml).",
    )(func)


def json_option(func: F) -> F:
    return click.option(
        "--json", "as_json", is_flag=True, help="Print one JSON object on stdout."
    )(func)


def settings_from(config_path: Path | None) -> Settings:
    return load_settings(config_path)


def emit_json(payload: dict[str, Any]) -> None:
    click.echo(scrub(json.dumps(payload, ensure_ascii=False, indent=2, default=str)))


def is_terminal() -> bool:
    return sys.stdout.isatty()


@contextmanager
def reported_errors(as_json: bool = False) -> Iterator[None]:
    """Turn our errors into one or two lines on stderr and exit code 1."""
    try:
        yield
    except CRMError as exc:
        message = scrub(str(exc))
        if as_json:
            click.echo(json.dumps({"error": scrub(exc.message), "hint": exc.hint}))
        err_console.print(
            f"[bold red]Error:[/] {message}", highlight=False, soft_wrap=True
        )
        raise SystemExit(exc.exit_code) from None
    except KeyboardInterrupt:
        err_console.print("Interrupted.")
        raise SystemExit(130) from None
