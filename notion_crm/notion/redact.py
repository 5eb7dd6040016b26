"""Keep the Notion token out of logs and messages.

The gateway never formats its token into text. This module is the second line of
defence: a :class:`Secret` whose ``repr`` hides the value, a registry of the secrets
in use, and :func:`scrub`, which every message and log record of the gateway passes
through before it leaves the package.
"""

from __future__ import annotations

import logging
import re
import threading

_BEARER = re.compile(r"(?i)\bbearer\s+[^\s'\",]+")
_MASK = "***"

_lock = threading.Lock()
_secrets: set[str] = set()


class Secret:
    """A string that never shows itself in ``repr`` or ``str``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The value itself; only for the ``Authorization`` header."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret({_MASK!r})"

    __str__ = __repr__


def register_secret(value: str) -> None:
    """Remember ``value`` so that :func:`scrub` masks it wherever it appears."""
    if len(value) >= 4:
        with _lock:
            _secrets.add(value)


def scrub(text: str) -> str:
    """Mask every registered secret and every ``Bearer …`` credential in ``text``."""
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, _MASK)
    return _BEARER.sub(f"Bearer {_MASK}", text)


class RedactingFilter(logging.Filter):
    """A logging filter that renders each record and scrubs the result."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            rendered = record.getMessage()
        except (TypeError, ValueError):
            rendered = str(record.msg)
        clean = scrub(rendered)
        if clean != rendered or record.args:
            record.msg = clean
            record.args = None
        return True


REDACTING_FILTER = RedactingFilter()
"""The one filter instance; add it to every logger the gateway writes to."""


def protect(logger: logging.Logger) -> logging.Logger:
    """Attach :data:`REDACTING_FILTER` to ``logger`` (once) and return it."""
    if REDACTING_FILTER not in logger.filters:
        logger.addFilter(REDACTING_FILTER)
    return logger
