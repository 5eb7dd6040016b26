"""Thread-safe counters of what the gateway sent to Notion."""

from __future__ import annotations

import threading
from typing import Any

_METHODS = ("GET", "POST", "PATCH", "DELETE")


class RequestStats:
    """Counts every HTTP attempt by method (retries included), 429/529 answers and
    retries. ``sync --json`` reports these figures.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_method: dict[str, int] = dict.fromkeys(_METHODS, 0)
        self._rate_limited = 0
        self._retries = 0

    @property
    def by_method(self) -> dict[str, int]:
        """Attempts sent per HTTP method (a copy)."""
        with self._lock:
            return dict(self._by_method)

    @property
    def rate_limited(self) -> int:
        """Answers with status 429 or 529."""
        with self._lock:
            return self._rate_limited

    @property
    def retries(self) -> int:
        """Attempts that were scheduled again after a failure."""
        with self._lock:
            return self._retries

    @property
    def total(self) -> int:
        """Attempts sent, all methods together."""
        with self._lock:
            return sum(self._by_method.values())

    def count_attempt(self, method: str) -> None:
        """Record one HTTP attempt."""
        key = method.upper()
        with self._lock:
            self._by_method[key] = self._by_method.get(key, 0) + 1

    def count_rate_limited(self) -> None:
        """Record one 429/529 answer."""
        with self._lock:
            self._rate_limited += 1

    def count_retry(self) -> None:
        """Record one retry."""
        with self._lock:
            self._retries += 1

    def snapshot(self) -> dict[str, Any]:
        """``{"by_method": {...}, "rate_limited": n, "retries": n}``, consistent."""
        with self._lock:
            return {
                "by_method": dict(self._by_method),
                "rate_limited": self._rate_limited,
                "retries": self._retries,
            }

    def reset(self) -> None:
        """Set every counter back to zero (e.g. at the start of a cycle)."""
        with self._lock:
            self._by_method = dict.fromkeys(_METHODS, 0)
            self._rate_limited = 0
            self._retries = 0

    def __repr__(self) -> str:
        return f"RequestStats({self.snapshot()!r})"
