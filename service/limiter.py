"""Admission for generation: `max_concurrency` run, `max_queue` wait, the next gets 429.

A CPU box runs one generation at a time well and two badly; an unbounded queue only turns
overload into timeouts. Reserving a place is synchronous, so a stream can be refused with a
real 429 before its response starts.
"""

from __future__ import annotations

import asyncio
from types import TracebackType

from core.errors import GeneratorBusy


class GenerationLimiter:
    def __init__(self, max_concurrency: int, max_queue: int, retry_after_s: int = 5) -> None:
        self.max_concurrency = max_concurrency
        self.max_queue = max_queue
        self.retry_after_s = retry_after_s
        self._running = asyncio.Semaphore(max_concurrency)
        self.admitted = 0  # running + waiting

    def reserve(self) -> Ticket:
        if self.admitted >= self.max_concurrency + self.max_queue:
            raise GeneratorBusy(
                f"the generator is busy ({self.max_concurrency} running, {self.max_queue} waiting)"
                "; retry shortly",
                self.retry_after_s,
            )
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
        try:
            await self._limiter._running.acquire()
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
