"""The ``notion-crm`` command: the only place that prints and picks exit codes.

Exit codes: 0 success, 1 a failure explained on stderr, 2 a usage error.
"""

from __future__ import annotations

import click

from notion_crm import __version__
from notion_crm.cli.demo import demo
from notion_crm.cli.doctor import doctor
from notion_crm.cli.emulator import emulator
from notion_crm.cli.provision import provision
from notion_crm.cli.sync import history, run, status, sync
from notion_crm.logs import configure_logging


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="notion-crm")
@click.option("-v", "--verbose", is_flag=True, help="Log debug details to stderr.")
@click.option("-q", "--quiet", is_flag=True, help="Log only warnings and errors.")
def main(verbose: bool, quiet: bool) -> None:
    """Run a small-business CRM inside Notion.

    Start with `notion-crm demo` (no account needed); on a real workspace,
    `notion-crm provision --parent PAGE`, then `notion-crm run`.
    """
    configure_logging(verbose=verbose, quiet=quiet)


for command in (demo, emulator, provision, doctor, sync, run, status, history):
    main.add_command(command)

__all__ = ["main"]
