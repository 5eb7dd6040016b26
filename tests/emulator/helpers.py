"""Builders shared by the emulator tests: a frozen emulator and a client on it."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from notion_client import Client

from notion_crm.emulator import Emulator, EmulatorConfig, EmulatorTransport

START = datetime(2026, 7, 4, 9, 8, 30, tzinfo=UTC)


class FakeTime:
    """A monotonic clock and sleep that only move when told to."""

    def __init__(self) -> None:
        self.value = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.value

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.value += seconds


def make_emulator(**overrides: object) -> tuple[Emulator, FakeTime]:
    """An emulator frozen at START, rate limit off unless asked."""
    fake = FakeTime()
    options: dict[str, object] = {"rate_limit_rps": 0.0}
    options.update(overrides)
    config = EmulatorConfig(**options)  # type: ignore[arg-type]
    emu = Emulator(
        config, clock=lambda: START, sleep=fake.sleep, monotonic=fake.monotonic
    )
    emu.set_clock(now=START)
    return emu, fake


def make_client(emu: Emulator, token: str = "secret_emulator") -> Client:
    """notion-client over the in-process transport, retries off."""
    return Client(
        auth=token,
        base_url="http://emulator.local",
        client=httpx.Client(transport=EmulatorTransport(emu)),
        retry=False,
    )
