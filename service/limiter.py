"""Admission for generation: `max_concurrency` run, `max_queue` wait, the next gets 429.

A CPU box runs one generation at a time well and two badly; an unbounded queue only turns
overload into timeouts. Reserving a place is synchronous, so a stream can be refused with a
real 429 before its response starts. A place in the queue is not a promise either: whoever
waits longer than `queue_timeout_s` for a slot gets 429 too, so a slow generator sheds load
as "busy, retry" rather than as gateway timeouts (and no wait eats the generation budget).
"""

from __future__ import annotations

import asyncio
from types import TracebackType

from core.errors import GeneratorBusy


class GenerationLimiter:
    def __init__(
        self,
        max_concurrency: int,
        max_queue: int,
        queue_timeout_s: float = 60.0,
        retry_after_s: int = 5,
    ) -> None:
        self.max_concurrency = max_concurrency
        self.max_queue = max_queue
        self.queue_timeout_s = queue_timeout_s
        self.retry_after_s = retry_after_s
        self._running = asyncio.Semaphore(max_concurrency)
        self.admitted = 0  # running + waiting

    def ensure_room(self) -> None:
        """GeneratorBusy if every place is taken. Called before retrieval too: on a CPU box,
        embedding the question of a request that will be refused anyway steals cycles from
        the generation that is running."""
        if self.admitted >= self.max_concurrency + self.max_queue:
            raise GeneratorBusy(
                f"the generator is busy ({self.max_concurrency} running, {self.max_queue} waiting)"
                "; retry shortly",
                self.retry_after_s,
            )

    def reserve(self) -> Ticket:
        self.ensure_room()
        self.admitted += 1
        return Ticket(self)


class Ticket:
    """`async with ticket:` waits for a free slot and frees it on exit. `release()` is
    idempotent, so a ticket whose stream never started can be given back from outside."""

    def __init__(self, limiter: GenerationLimiter) -> None:
        self._limiter = limiter
        self._holding = False
        self._done = False

    async def __aenter__(self) -> Ticket:
        if self._done:
            raise RuntimeError("ticket already released")
        limiter = self._limiter
        try:
            async with asyncio.timeout(limiter.queue_timeout_s):
                await limiter._running.acquire()
        except TimeoutError as exc:
            self.release()
            raise GeneratorBusy(
                f"no generation slot within {limiter.queue_timeout_s:g} s; retry shortly",
                limiter.retry_after_s,
            ) from exc
        except BaseException:  # cancelled while queued (client left): give the place back
            self.release()
            raise
        self._holding = True
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    def release(self) -> None:
        if self._holding:
            self._holding = False
            self._limiter._running.release()
        if not self._done:
            self._done = True
            self._limiter.admitted -= 1
