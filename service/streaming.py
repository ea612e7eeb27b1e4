"""The SSE response shared by /ask and /v1/chat/completions."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable

from fastapi.responses import StreamingResponse
from starlette.types import Receive, Scope, Send


class EventStreamResponse(StreamingResponse):
    """SSE that always closes its iterator, however the response ends (done, error, client
    gone): closing it runs the pipeline's `finally`, which closes the generator's stream."""

    media_type = "text/event-stream"

    def __init__(
        self, events: AsyncIterator[str], on_close: Callable[[], None], headers: dict[str, str]
    ) -> None:
        # no-cache + no proxy buffering: each token must reach the client as it is made
        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no", **headers}
        super().__init__(events, headers=headers)
        self._events = events
        self._on_close = on_close

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            with contextlib.suppress(Exception):
                await self._events.aclose()  # type: ignore[attr-defined]
            self._on_close()
