"""The retry policy of the gateway, built on tenacity.

notion-client's own retry is switched off; this module is the only place that
decides whether a failed request is sent again, and when.

- 429 and 529 (rate limited, overloaded) are retried for every kind of request,
  never before ``Retry-After``, however long it is; without the header, with
  backoff. They are bounded by the cycle's wait budget and, as a safety net, by
  ``max_rate_limited_attempts``.
- 409 conflicts, 5xx answers, HTML error pages, timeouts and dropped connections
  are retried with exponential backoff and jitter, at most ``max_attempts``
  attempts in all; a create only when the gateway can look for what it meant to
  create (see :meth:`~notion_crm.notion.gateway.NotionGateway.request`).
- Other 4xx answers are never retried.

Every wait is charged to a :class:`WaitBudget`. When the next wait would exceed
what is left, the request stops at once with
:class:`~notion_crm.errors.RateLimitedError` (or the error it was failing with),
and the cycle ends cleanly; the next tick starts a fresh budget.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, NoReturn, TypeVar

import tenacity

from notion_crm.clock import Sleep
from notion_crm.errors import NotionError, RateLimitedError, ServerError
from notion_crm.notion.errors_map import HINT_RATE, HINT_SERVER, AttemptError, Retry
from notion_crm.notion.redact import protect

logger = protect(logging.getLogger(__name__))

T = TypeVar("T")

Kind = Literal["read", "create", "update", "owned_update", "delete"]
"""What a request does, which decides how its failures are retried.

An ``owned_update`` writes values the caller computed from what it read: after a
409 it is not sent again as it was, because a person may just have changed the
page; the caller re-reads and recomputes (field report F20).
"""
"""What a request does; decides how a failure that may have been applied is handled."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounds and pace of retries for one request."""

    max_attempts: int = 6
    """Attempts in all, counting those that failed with 409, 5xx or network errors."""

    max_rate_limited_attempts: int = 20
    """Safety cap on 429/529 answers for one request; the wait budget comes first."""

    backoff_base_s: float = 1.0
    """First backoff delay; doubles with each attempt."""

    backoff_max_s: float = 30.0
    """Largest backoff delay (before jitter)."""

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.max_rate_limited_attempts < 1:
            raise ValueError("attempt bounds must be at least 1")
        if self.backoff_base_s < 0 or self.backoff_max_s < self.backoff_base_s:
            raise ValueError("need 0 <= backoff_base_s <= backoff_max_s")


class Backoff:
    """Exponential backoff with jitter from a seeded, injectable RNG.

    The n-th delay (n from 1) is ``min(max, base * 2**(n-1))`` scaled by a factor
    drawn uniformly from [0.5, 1.5), so workers that failed together spread out.
    """

    def __init__(self, policy: RetryPolicy, rng: random.Random) -> None:
        self._policy = policy
        self._rng = rng
        self._lock = threading.Lock()

    def delay(self, attempt: int) -> float:
        """Delay before retry number ``attempt`` (1 for the first retry)."""
        exponent = min(max(attempt - 1, 0), 30)
        step = min(
            self._policy.backoff_max_s, self._policy.backoff_base_s * 2.0**exponent
        )
        with self._lock:
            factor = 0.5 + self._rng.random()
        return step * factor


class WaitBudget:
    """The time one cycle may spend waiting on retries, shared by all threads.

    Waits are charged as a union of time intervals: four workers waiting out the
    same Retry-After together are charged once, not four times.
    """

    def __init__(
        self, limit_s: float, *, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._limit = limit_s
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._spent = 0.0
        self._horizon = monotonic()

    @property
    def limit_s(self) -> float:
        """The budget of one cycle, in seconds."""
        return self._limit

    def start(self) -> None:
        """Begin a new cycle with the whole budget available."""
        with self._lock:
            self._spent = 0.0
            self._horizon = self._monotonic()

    def remaining(self) -> float:
        """Seconds of waiting still allowed in this cycle."""
        with self._lock:
            return max(0.0, self._limit - self._spent)

    def try_reserve(self, seconds: float) -> bool:
        """Charge a wait of ``seconds`` starting now; ``False`` if it does not fit."""
        with self._lock:
            now = self._monotonic()
            end = now + max(0.0, seconds)
            extra = max(0.0, end - max(now, self._horizon))
            if self._spent + extra > self._limit:
                return False
            self._spent += extra
            self._horizon = max(self._horizon, end)
            return True


def retryable(failure: AttemptError, kind: Kind, *, can_look: bool) -> bool:
    """Whether ``failure`` may be retried for a request of ``kind``.

    A create that may have been applied is retried only when the caller can look
    for the object first (``can_look``); otherwise retrying could duplicate it.
    """
    if failure.retry is Retry.CONFLICT:
        return kind != "owned_update"
    if failure.retry in (Retry.RATE_LIMITED, Retry.NOT_SENT):
        return True
    if failure.retry is Retry.TRANSIENT:
        return kind != "create" or can_look
    return False


class RetryLoop:
    """The gateway's retry policy as one object, shared by all its threads.

    ``on_rate_limited(seconds)`` hears of every Retry-After (the pacer pauses all
    threads); ``on_retry()`` of every retry (the counters).
    """

    def __init__(
        self,
        policy: RetryPolicy,
        budget: WaitBudget,
        backoff: Backoff,
        *,
        sleep: Sleep,
        on_rate_limited: Callable[[float], None],
        on_retry: Callable[[], None],
    ) -> None:
        self.policy = policy
        self.budget = budget
        self.backoff = backoff
        self.sleep = sleep
        self.on_rate_limited = on_rate_limited
        self.on_retry = on_retry

    def run(
        self, attempt: Callable[[], T], *, kind: Kind, label: str, can_look: bool
    ) -> T:
        """Run ``attempt`` until it succeeds or the policy gives up.

        ``attempt`` raises :class:`AttemptError` for failures; anything else it
        raises propagates untouched. Giving up raises the product's
        :class:`~notion_crm.errors.NotionError`.
        """
        call = _Call(self, kind=kind, label=label, can_look=can_look)
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception(call.should_retry),
            wait=call.wait,
            stop=call.stop,
            before_sleep=call.before_sleep,
            retry_error_callback=call.give_up,
            sleep=self.sleep,
            reraise=True,
        )
        try:
            return retrying(attempt)
        except AttemptError as failure:
            raise call.final_error(failure) from failure.cause


class _Call:
    """One request's way through the loop: counts its failures by class."""

    def __init__(self, loop: RetryLoop, *, kind: Kind, label: str, can_look: bool):
        self.loop = loop
        self.kind = kind
        self.label = label
        self.can_look = can_look
        self.failures = 0
        self.rate_limited = 0
        self.out_of_budget = False

    def should_retry(self, exc: BaseException) -> bool:
        if not isinstance(exc, AttemptError):
            return False
        if exc.retry is Retry.RATE_LIMITED:
            self.rate_limited += 1
        else:
            self.failures += 1
        return retryable(exc, self.kind, can_look=self.can_look)

    def wait(self, state: tenacity.RetryCallState) -> float:
        failure = _failure_of(state)
        if failure.retry is not Retry.RATE_LIMITED:
            # A Retry-After on a 503 is a floor for the backoff, not a ceiling.
            backoff = self.loop.backoff.delay(self.failures)
            return max(backoff, failure.retry_after_s or 0.0)
        seconds = failure.retry_after_s
        if seconds is None:
            seconds = self.loop.backoff.delay(self.rate_limited)
        self.loop.on_rate_limited(seconds)
        return seconds

    def stop(self, state: tenacity.RetryCallState) -> bool:
        policy = self.loop.policy
        if _failure_of(state).retry is Retry.RATE_LIMITED:
            if self.rate_limited >= policy.max_rate_limited_attempts:
                return True
        elif self.failures >= policy.max_attempts:
            return True
        if not self.loop.budget.try_reserve(state.upcoming_sleep):
            self.out_of_budget = True
            return True
        return False

    def before_sleep(self, state: tenacity.RetryCallState) -> None:
        self.loop.on_retry()
        logger.warning(
            "%s: attempt %d failed (%s); retrying in %.1f s",
            self.label,
            state.attempt_number,
            _reason(_failure_of(state)),
            state.upcoming_sleep,
        )

    def give_up(self, state: tenacity.RetryCallState) -> NoReturn:
        failure = _failure_of(state)
        if self.out_of_budget:
            error = _budget_error(failure, state.upcoming_sleep, self.loop.budget)
            raise error from failure.cause
        raise self.final_error(failure) from failure.cause

    def final_error(self, failure: AttemptError) -> NotionError:
        if self.kind == "create" and failure.maybe_applied:
            return _unclear_create_error(failure)
        return failure.error


def _failure_of(state: tenacity.RetryCallState) -> AttemptError:
    outcome = state.outcome
    exc = outcome.exception() if outcome is not None else None
    if not isinstance(exc, AttemptError):
        raise RuntimeError("the retry loop saw a failure it did not classify")
    return exc


def _reason(failure: AttemptError) -> str:
    error = failure.error
    if error.status is not None:
        return f"{error.status} {error.code or ''}".rstrip()
    return error.code or type(failure.cause).__name__


def _unclear_create_error(failure: AttemptError) -> NotionError:
    error = failure.error
    return ServerError(
        f"{error.message} The create may or may not have been applied; it is not "
        "sent again blindly, so that nothing is duplicated.",
        hint=(
            "Run the command again: provisioning looks for what exists before "
            "creating anything."
        ),
        status=error.status,
        code=error.code,
        method=error.method,
        path=error.path,
        request_id=error.request_id,
    )


def _budget_error(
    failure: AttemptError, wait_s: float, budget: WaitBudget
) -> NotionError:
    error = failure.error
    left = budget.remaining()
    text = (
        f"{error.method} {error.path}: the next wait of {wait_s:.0f} s is more than "
        f"the {left:.0f} s left of this cycle's {budget.limit_s:.0f} s wait budget, "
        f"so the cycle stops here and will resume at the next tick. "
        f"Last answer: {error.message}"
    )
    cls: type[NotionError]
    if failure.retry is Retry.RATE_LIMITED:
        cls, hint = RateLimitedError, HINT_RATE
    else:
        cls, hint = type(error), error.hint or HINT_SERVER
        if cls is NotionError:
            cls = ServerError
    return cls(
        text,
        hint=hint,
        status=error.status,
        code=error.code,
        method=error.method,
        path=error.path,
        request_id=error.request_id,
    )
