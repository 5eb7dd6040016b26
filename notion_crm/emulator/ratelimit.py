"""A token bucket per integration token, on an injectable monotonic clock."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class TokenBucket:
    """Allows ``rate`` requests per second on average with bursts of ``burst``."""

    def __init__(self, rate: float, burst: int, monotonic: Callable[[], float]) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self.monotonic = monotonic
        self._buckets: dict[str, _Bucket] = {}

    def acquire(self, key: str) -> int:
        """0 when the request may go, else the whole seconds to wait (Retry-After)."""
        if self.rate <= 0:
            return 0
        now = self.monotonic()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(float(self.burst), now)
        elapsed = max(0.0, now - bucket.stamp)
        bucket.tokens = min(float(self.burst), bucket.tokens + elapsed * self.rate)
        bucket.stamp = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0
        return max(1, math.ceil((1.0 - bucket.tokens) / self.rate))

    def reset(self) -> None:
        """Forget every bucket (full again)."""
        self._buckets.clear()
