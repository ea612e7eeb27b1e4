"""The SSE response shared by /ask and /v1/chat/completions, and /ask's rendering of the
pipeline's events as `event:`/`data:` blocks."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import Any

from fastapi.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from contract.ask import StreamEvent
from service.error_handlers import error_body
from service.events import AskEvent, DoneEvent, SourcesEvent, TokenEvent


def sse(event: str, data: object) -> str:
    # json.dumps escapes newlines, so each event's data is exactly one `data:` line.
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def event_data(ev: AskEvent) -> tuple[StreamEvent, dict[str, Any]]:
    """An event's SSE name and JSON body, as /ask documents them."""
    if isinstance(ev, SourcesEvent):
        return StreamEvent.SOURCES, {
            "sources": [s.model_dump() for s in ev.sources],
            "question_used": ev.question_used,
            "index_version": ev.index_version,
            "request_id": ev.request_id,
        }
    if isinstance(ev, TokenEvent):
        return StreamEvent.TOKEN, {"text": ev.text}
    if isinstance(ev, DoneEvent):
        return StreamEvent.DONE, ev.response.model_dump()
    err = ev.error
    return StreamEvent.ERROR, error_body(err.code, str(err) or err.code, ev.sources)


async def ask_sse(events: AsyncGenerator[AskEvent, None]) -> AsyncIterator[str]:
    """The /ask stream: every event rendered; closing this closes the pipeline's events."""
    try:
        async for ev in events:
            yield sse(*event_data(ev))
    finally:
        await events.aclose()


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
