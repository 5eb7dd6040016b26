"""Settings of one emulator instance."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

API_VERSION = "2025-09-03"
"""The Notion-Version the emulator implements."""

FREE_UPLOAD_LIMIT_BYTES = 5 * 1024 * 1024
"""Notion's per-file cap on Free workspaces (recorded in ``users/me``)."""

PAID_UPLOAD_LIMIT_BYTES = 5 * 1024 * 1024 * 1024
"""Per-file cap reported on paid plans (assumption: 5 GiB)."""

FREE_BLOCK_LIMIT = 1000
"""Lifetime block limit of multi-member Free workspaces."""


@dataclass(frozen=True)
class EmulatorConfig:
    """Everything ``emulator serve`` can set; defaults match the product contract.

    ``rate_limit_rps`` 0 turns the token bucket off; ``rate_limit_burst`` is its size.
    ``data_path`` is loaded at start when it exists and saved after every mutation.
    ``query_cap`` is Notion's 10,000-result limit of one query (fault ``cap:N``
    lowers it). ``fault_timeout_s`` is how long the HTTP server holds a connection
    answering the ``timeout`` fault before closing it.
    """

    token: str = "secret_emulator"
    person_token: str = "person_emulator"
    rate_limit_rps: float = 3.0
    rate_limit_burst: int = 10
    latency_ms: int = 0
    faults: str = ""
    seed: int = 0
    data_path: Path | None = None
    plan: str = "paid"
    members: int = 1
    integration_name: str = "notion-crm"
    workspace_name: str = "Emulated workspace"
    query_cap: int = 10_000
    fault_timeout_s: float = 0.0
