"""``notion-crm run``: the sync engine on a schedule, one cycle at a time.

One APScheduler interval job runs a cycle every ``sync.interval_s``; each tick decides
whether a full reconcile is due (every ``sync.full_every_s``). The job is configured
with ``max_instances=1`` and coalescing, so cycles never overlap and missed ticks
collapse into one. A failing cycle is logged, recorded and retried at the next tick;
a revoked token (two 401 answers in a row) stops the daemon. SIGTERM and SIGINT let
the running cycle finish, then the daemon exits cleanly.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import FrameType

from apscheduler.executors.debug import DebugExecutor
from apscheduler.schedulers.base import STATE_STOPPED
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from notion_crm.clock import Clock
from notion_crm.errors import AuthError, CRMError
from notion_crm.settings import SyncSettings
from notion_crm.store.state import RunRecord, StateStore
from notion_crm.sync.engine import SyncEngine
from notion_crm.sync.report import CycleReport

logger = logging.getLogger(__name__)

AUTH_FAILURES_TO_STOP = 2


@dataclass(slots=True)
class TickOutcome:
    """What one tick did: its report, or the error it logged."""

    full: bool
    report: CycleReport | None = None
    error: str | None = None


class _Scheduler(BlockingScheduler):  # type: ignore[misc]
    """A BlockingScheduler that stops between two rounds of jobs, never in one.

    Shutting APScheduler down while its inline executor runs a job empties the job
    store under the round still in progress (``JobLookupError``); a stop asked
    during a cycle is therefore carried out once the round is over.
    """

    stop_requested = False

    def request_stop(self) -> None:
        self.stop_requested = True
        self.wakeup()

    def _process_jobs(self) -> float | None:
        wait: float | None = None
        if not self.stop_requested:
            wait = super()._process_jobs()
        if self.stop_requested and self.state != STATE_STOPPED:
            self.shutdown(wait=False)
        return wait


class Daemon:
    """Schedules sync cycles and records each of them in the state store."""

    def __init__(
        self,
        engine: SyncEngine,
        store: StateStore,
        sync: SyncSettings,
        *,
        clock: Clock,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        self.store = store
        self.sync = sync
        self.clock = clock
        self.monotonic = monotonic
        self.last_full: datetime | None = store.last_success("full")
        """When the last full reconcile started; a restart does not redo it early."""
        self.auth_failures = 0
        self.stopped_for: AuthError | None = None
        self._scheduler: _Scheduler | None = None

    def full_due(self, now: datetime) -> bool:
        """True when no full reconcile ran in the last ``full_every_s`` seconds."""
        if self.last_full is None:
            return True
        return now - self.last_full >= timedelta(seconds=self.sync.full_every_s)

    def tick(self) -> TickOutcome:
        """Run one cycle (full when due); never raises for a failing cycle."""
        now = self.clock()
        outcome = TickOutcome(full=self.full_due(now))
        started = self.monotonic()
        try:
            outcome.report = self.engine.cycle(full=outcome.full)
            self.auth_failures = 0
            _log_cycle(outcome.report)
            if outcome.full:
                self.last_full = now
        except AuthError as exc:
            self.auth_failures += 1
            outcome.error = exc.message
            logger.error("Notion refused the token: %s", exc.message)
            if self.auth_failures >= AUTH_FAILURES_TO_STOP:
                self.stopped_for = exc
                self.stop()
        except CRMError as exc:
            outcome.error = exc.message
            logger.error("cycle failed, retrying at the next tick: %s", exc)
        except Exception as exc:
            outcome.error = f"{type(exc).__name__}: {exc}"
            logger.exception("cycle crashed, retrying at the next tick")
        self._record(outcome, now, self.monotonic() - started)
        return outcome

    def _record(self, outcome: TickOutcome, started: datetime, duration: float) -> None:
        report = outcome.report
        run = RunRecord(
            kind="full" if outcome.full else "incremental",
            started=started,
            duration_s=duration,
            requests=sum(report.requests.values()) if report else None,
            pages_read=report.pages_read if report else None,
            pages_written=report.pages_written if report else None,
            error=outcome.error,
        )
        try:
            self.store.record_run(run)
        except CRMError as exc:
            logger.error("could not record the run: %s", exc)

    def build_scheduler(self) -> BlockingScheduler:
        """The scheduler with its one job (see :meth:`_new_scheduler`)."""
        return self._new_scheduler()

    def _new_scheduler(self) -> _Scheduler:
        """The scheduler with its one job, configured explicitly.

        The job runs in the scheduler's own thread (APScheduler's inline
        ``DebugExecutor``): the state store's SQLite connection belongs to the
        thread that opened it, and cycles never overlap anyway.
        """
        scheduler = _Scheduler(timezone="UTC", executors={"default": DebugExecutor()})
        scheduler.add_job(
            self.tick,
            IntervalTrigger(seconds=self.sync.interval_s),
            id="sync-cycle",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=max(1, int(self.sync.interval_s)),
            next_run_time=datetime.now().astimezone(),
        )
        return scheduler

    def serve(self) -> None:
        """Run until SIGTERM or SIGINT; the running cycle is allowed to finish."""
        self._scheduler = self._new_scheduler()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._on_signal)
        logger.info(
            "daemon started: a cycle every %ss, a full reconcile every %ss",
            self.sync.interval_s,
            self.sync.full_every_s,
        )
        self._scheduler.start()
        logger.info("daemon stopped")

    def stop(self) -> None:
        """Stop after the running cycle, if any (safe from a job or a signal)."""
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.request_stop()

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        # The handler runs between two bytecodes of the main thread, maybe inside a
        # cycle: it only asks the scheduler to stop, and the cycle runs to its end.
        logger.info("signal %s received: finishing the current cycle", signum)
        self.stop()


def _log_cycle(report: CycleReport) -> None:
    """One INFO line per cycle, so the journal shows the daemon at work."""
    logger.info(
        "%s cycle: %d pages read, %d pages and %d blocks written, %d requests, "
        "%d stage changes, %.1fs",
        "full" if report.full else "incremental",
        report.pages_read,
        report.pages_written,
        report.blocks_written,
        sum(report.requests.values()),
        len(report.transitions),
        report.duration_s,
    )
