"""Pacing: one token bucket for the process, and the shared Retry-After pause."""

from __future__ import annotations

import pytest
from gateway_fakes import FakeNotion, FakeTime, make_gateway, ok

from notion_crm.notion.pacing import Pacer


@pytest.mark.parametrize(("n", "burst"), [(10, 3), (30, 3), (7, 1), (3, 3)])
def test_n_requests_at_3_rps_take_at_least_n_minus_burst_thirds(
    notion: FakeNotion, fake_time: FakeTime, n: int, burst: int
) -> None:
    gw = make_gateway(notion, fake_time, pace_rps=3.0, pace_burst=burst)
    notion.on("GET", "/v1/users/me", ok({"object": "user", "id": "bot"}))

    for _ in range(n):
        gw.me()

    expected = (n - burst) / 3
    assert sum(fake_time.sleeps) == pytest.approx(expected, abs=1e-6)
    assert len(notion.sent()) == n


def test_bucket_refills_after_a_quiet_spell(fake_time: FakeTime) -> None:
    pacer = Pacer(3.0, 3, sleep=fake_time.sleep, monotonic=fake_time.monotonic)
    for _ in range(3):
        pacer.acquire()
    assert fake_time.sleeps == []

    fake_time.sleep(10)  # quiet: the bucket fills up to its size, no more
    fake_time.sleeps.clear()
    for _ in range(4):
        pacer.acquire()

    assert sum(fake_time.sleeps) == pytest.approx(1 / 3)


def test_pause_holds_every_caller_and_empties_the_bucket(fake_time: FakeTime) -> None:
    pacer = Pacer(2.0, 5, sleep=fake_time.sleep, monotonic=fake_time.monotonic)

    pacer.pause_for(12.0)
    assert pacer.pause_remaining() == pytest.approx(12.0)
    pacer.acquire()
    pacer.acquire()

    assert sum(fake_time.sleeps) == pytest.approx(12.0 + 0.5 + 0.5)


def test_a_shorter_pause_never_shortens_a_longer_one(fake_time: FakeTime) -> None:
    pacer = Pacer(0.0, 1, sleep=fake_time.sleep, monotonic=fake_time.monotonic)

    pacer.pause_for(30.0)
    pacer.pause_for(5.0)

    assert pacer.pause_remaining() == pytest.approx(30.0)


def test_zero_rate_turns_pacing_off(fake_time: FakeTime) -> None:
    pacer = Pacer(0.0, 1, sleep=fake_time.sleep, monotonic=fake_time.monotonic)
    for _ in range(100):
        pacer.acquire()
    assert fake_time.sleeps == []


def test_bad_settings_are_refused(fake_time: FakeTime) -> None:
    with pytest.raises(ValueError):
        Pacer(-1.0, 1)
    with pytest.raises(ValueError):
        Pacer(3.0, 0)
