"""Logging set-up for the CLI and the daemon; library modules only get loggers.

Logs go to stderr (stdout is for results and ``--json``), each record passes through
the redacting filter so that no token can reach a log line.
"""

from __future__ import annotations

import logging
import sys

from notion_crm.notion.redact import RedactingFilter

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def configure_logging(*, verbose: bool = False, quiet: bool = False) -> None:
    """Send notion-crm's logs to stderr at INFO (DEBUG with -v, WARNING with -q)."""
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger("notion_crm")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
    for noisy in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
        logging.getLogger(noisy).addFilter(RedactingFilter())
