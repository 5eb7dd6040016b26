"""Client-side pacing: one token bucket for every thread of the process.

Notion allows an average of about three requests per second per integration, with
short bursts. Pacing ourselves below that keeps 429s rare; when one comes anyway,
:meth:`Pacer.pause_for` makes *every* thread hold off until Notion's Retry-After has
passed, so concurrent workers do not stampede the moment one of them is told to wait.

Waits go through the injected ``sleep`` and ``monotonic``, so tests drive time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from notion_crm.clock import Sleep, real_sleep
from notion_crm.notion.redact import protect

logger = protect(logging.getLogger(__name__))

_EPSILON = 1e-9
"""Tolerance for float drift, so a computed wait is never followed by a sliver."""


class Pacer:
    """A thread-safe token bucket plus a shared "not before" instant.

    ``rate_per_s`` tokens are added each second up to ``burst``; each request takes
    one. A rate of 0 disables the bucket but keeps the Retry-After pause.
    """

    def __init__(
        self,
        rate_per_s: float,
        burst: int,
        *,
        sleep: Sleep = real_sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate_per_s < 0:
            raise ValueError("rate_per_s must be >= 0")
        if burst < 1:
            raise ValueError("burst must be >= 1")
        self._rate = rate_per_s
        self._burst = float(burst)
        self._sleep = sleep
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._tokens = float(burst)
        self._refilled_at = monotonic()
        self._not_before = float("-inf")

    @property
    def rate_per_s(self) -> float:
        """Tokens added per second; 0 when pacing is off."""
        return self._rate

    def acquire(self) -> float:
        """Wait for a token (and for any pause), take it; return seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                wait = self._try_take(self._monotonic())
            if wait <= 0:
                return waited
            logger.debug("pacing: waiting %.3f s", wait)
            self._sleep(wait)
            waited += wait

    def pause_for(self, seconds: float) -> None:
        """Hold every thread back for ``seconds`` from now (Retry-After).

        The bucket is emptied too, so requests resume at the paced rate instead
        of in one burst.
        """
        with self._lock:
            now = self._monotonic()
            until = now + max(0.0, seconds)
            if until > self._not_before:
                self._not_before = until
                self._tokens = 0.0
                self._refilled_at = until

    def pause_remaining(self) -> float:
        """Seconds left in the current shared pause, 0 when there is none."""
        with self._lock:
            return max(0.0, self._not_before - self._monotonic())

    def _try_take(self, now: float) -> float:
        if now < self._not_before:
            return self._not_before - now
        if self._rate <= 0:
            return 0.0
        if now > self._refilled_at:
            gained = (now - self._refilled_at) * self._rate
            self._tokens = min(self._burst, self._tokens + gained)
            self._refilled_at = now
        if self._tokens >= 1.0 - _EPSILON:
            self._tokens = max(0.0, self._tokens - 1.0)
            return 0.0
        return (1.0 - self._tokens) / self._rate
