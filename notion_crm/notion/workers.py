"""A small thread pool for running gateway work side by side.

All threads share the gateway's token bucket, wait budget and counters, so more
workers never means more requests per second: it only hides latency.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


class WorkerPool:
    """Runs a function over items on at most ``workers`` threads, lazily started."""

    def __init__(self, workers: int, *, name: str = "notion-gateway") -> None:
        if workers < 1:
            raise ValueError("workers must be >= 1")
        self._workers = workers
        self._name = name
        self._lock = threading.Lock()
        self._local = threading.local()
        self._executor: ThreadPoolExecutor | None = None

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """``[fn(item) for item in items]`` on the pool, results in input order.

        Every call runs to its end; then the first exception, in input order, is
        raised. Called from one of the pool's own threads, it runs inline, so
        nested calls cannot deadlock the pool.
        """
        results: list[R] = []
        for _item, outcome in self.map_settled(fn, items):
            if isinstance(outcome, BaseException):
                raise outcome
            results.append(outcome)
        return results

    def map_settled(
        self, fn: Callable[[T], R], items: Iterable[T]
    ) -> list[tuple[T, R | BaseException]]:
        """Like :meth:`map`, but returns ``(item, result or exception)`` pairs."""
        work = list(items)
        if getattr(self._local, "in_pool", False):
            return [(item, _settle(fn, item)) for item in work]
        executor = self._executor_started()
        futures: list[Future[R]] = [executor.submit(fn, item) for item in work]
        settled: list[tuple[T, R | BaseException]] = []
        for item, future in zip(work, futures, strict=True):
            error = future.exception()
            settled.append((item, error if error is not None else future.result()))
        return settled

    def close(self) -> None:
        """Wait for running work, then stop the threads; the pool can restart."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)

    def _executor_started(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    max_workers=self._workers,
                    thread_name_prefix=self._name,
                    initializer=self._mark_worker,
                )
            return self._executor

    def _mark_worker(self) -> None:
        self._local.in_pool = True


def _settle(fn: Callable[[T], R], item: T) -> R | BaseException:
    try:
        return fn(item)
    except Exception as exc:  # noqa: BLE001 - settled results carry the exception
        return exc
