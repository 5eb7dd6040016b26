"""Shared plumbing of the commands: options, output, errors and exit codes."""

from __future__ import annotations

import json
import logging
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape

from notion_crm.errors import CRMError
from notion_crm.notion.redact import scrub
from notion_crm.settings import Settings, load_settings
from notion_crm.store.state import StateStore
from notion_crm.wiring import open_store

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
    """Turn failures into one or two lines on stderr and an exit code.

    Our own errors exit with their ``exit_code`` (1). Anything else is a bug: it
    is reported in one line, with the traceback under ``-v``, and exits 1. Every
    line is scrubbed of the token; messages are printed as text, not as markup,
    since they name config sections such as ``[state]``.
    """
    try:
        yield
    except CRMError as exc:
        message = scrub(str(exc))
        if as_json:
            hint = scrub(exc.hint) if exc.hint else None
            click.echo(json.dumps({"error": scrub(exc.message), "hint": hint}))
        _print_error(message)
        raise SystemExit(exc.exit_code) from None
    except KeyboardInterrupt:
        err_console.print("Interrupted.")
        raise SystemExit(130) from None
    except BrokenPipeError:
        # The reader of stdout went away (`notion-crm status | head`): not an error.
        _silence_stdout()
        raise SystemExit(0) from None
    except (click.exceptions.ClickException, click.exceptions.Exit):
        raise
    except Exception as exc:  # noqa: BLE001 - the CLI's last line of defence
        if logging.getLogger("notion_crm").isEnabledFor(logging.DEBUG):
            trace = "".join(traceback.format_exception(exc))
            err_console.print(escape(scrub(trace)), highlight=False, soft_wrap=True)
        detail = scrub(f"{type(exc).__name__}: {exc}")
        if as_json:
            click.echo(json.dumps({"error": detail, "hint": HINT_BUG}))
        _print_error(f"unexpected failure ({detail}).\n  → {HINT_BUG}")
        raise SystemExit(1) from None


HINT_BUG = (
    "This is a bug in notion-crm; the state store keeps only complete saves. Run "
    "it again as `notion-crm -v <command> …` and report the traceback it prints."
)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that Python's exit flush cannot fail again."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _print_error(message: str) -> None:
    err_console.print(
        f"[bold red]Error:[/] {escape(message)}", highlight=False, soft_wrap=True
    )


def opened_store(settings: Settings, *, readonly: bool = False) -> StateStore:
    """The state store, closed when the command ends (its WAL folded back in)."""
    store = open_store(settings, readonly=readonly)
    click.get_current_context().call_on_close(store.close)
    return store
