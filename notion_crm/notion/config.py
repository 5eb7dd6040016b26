"""Settings of the gateway: pacing, retries, timeouts, the API version."""

from __future__ import annotations

from dataclasses import dataclass

from notion_crm.errors import ConfigError
from notion_crm.notion.retry import RetryPolicy

NOTION_VERSION = "2025-09-03"
"""The Notion API version of the whole product (the emulator speaks it too)."""


@dataclass(frozen=True, slots=True)
class GatewayConfig:
    """How the gateway paces, retries and times out. Defaults suit real Notion."""

    base_url: str = "https://api.notion.com"
    pace_rps: float = 3.0
    """Requests per second for the whole process; 0 turns pacing off."""
    pace_burst: int = 3
    """Requests that may go at once after a quiet spell (bucket size)."""
    max_attempts: int = 6
    """Attempts per request for 409, 5xx and network failures."""
    max_wait_s: float = 600.0
    """Time one cycle may spend waiting on retries; reset by start_budget()."""
    timeout_s: float = 60.0
    workers: int = 4
    """Threads of :meth:`NotionGateway.map`."""
    max_rate_limited_attempts: int = 20
    """Safety cap on 429/529 answers for one request."""
    backoff_base_s: float = 1.0
    backoff_max_s: float = 30.0
    notion_version: str = NOTION_VERSION

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ConfigError(
                f"Invalid Notion base URL {self.base_url!r}.",
                hint="Use https://api.notion.com or the emulator's base_url.",
            )
        if self.pace_rps < 0 or self.pace_burst < 1 or self.workers < 1:
            raise ConfigError(
                "Invalid pacing: need pace_rps >= 0, pace_burst >= 1, workers >= 1."
            )
        if self.max_wait_s < 0 or self.timeout_s <= 0:
            raise ConfigError("Invalid timing: need max_wait_s >= 0, timeout_s > 0.")

    def retry_policy(self) -> RetryPolicy:
        """The :class:`RetryPolicy` these settings describe."""
        return RetryPolicy(
            max_attempts=self.max_attempts,
            max_rate_limited_attempts=self.max_rate_limited_attempts,
            backoff_base_s=self.backoff_base_s,
            backoff_max_s=self.backoff_max_s,
        )
