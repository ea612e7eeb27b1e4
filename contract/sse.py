"""Reading /ask's Server-Sent Events, for every client of the stream (the chat UI's client,
eval's HTTP answerer): one parser of the framing, so they can't disagree on it.

A frame is `event: NAME` and one or more `data: ...` lines, ended by a blank line; the names
are contract.ask.StreamEvent's. Comment lines (`:`) and fields other than event/data (`id:`,
`retry:`) are skipped; several data lines join with newlines, as the SSE standard says.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator


class SseReader:
    """Line by line, for a stream read as it arrives: `feed` returns a finished (event, data)
    frame at its blank line, else None; `end` returns a last frame cut off without one."""

    def __init__(self) -> None:
        self._event = "message"  # the standard's name for a frame without `event:`
        self._data: list[str] = []

    def feed(self, raw: str) -> tuple[str, str] | None:
        line = raw.rstrip("\r\n")
        if not line:
            return self.end()
        if not line.startswith(":"):
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "event":
                self._event = value
            elif name == "data":
                self._data.append(value)
        return None

    def end(self) -> tuple[str, str] | None:
        frame = (self._event, "\n".join(self._data)) if self._data else None
        self._event, self._data = "message", []
        return frame


def parse_sse(lines: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(event, data) pairs from SSE lines."""
    reader = SseReader()
    for line in lines:
        if (frame := reader.feed(line)) is not None:
            yield frame
    if (frame := reader.end()) is not None:
        yield frame
