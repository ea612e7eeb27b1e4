"""What the /ask pipeline yields while it answers: typed events, rendered only at the edge.

`sources` first (the passages, before any generation), then `token`s (the draft as it is
written), then exactly one of `done` (the checked answer) or `error` (a failure after the
sources went out). The API layer turns them into SSE (service/streaming.py) or OpenAI chunks
(service/openai_api.py); eval reads them as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from contract.ask import AskResponse, Source
from core.errors import NotesQAError


@dataclass(frozen=True)
class SourcesEvent:
    sources: tuple[Source, ...]
    question_used: str  # the standalone question retrieval ran on (after the rewrite)
    index_version: str
    request_id: str


@dataclass(frozen=True)
class TokenEvent:
    text: str


@dataclass(frozen=True)
class DoneEvent:
    response: AskResponse


@dataclass(frozen=True)
class ErrorEvent:
    """Generation failed mid-stream. `error` is a domain error; an unexpected exception
    arrives as the base NotesQAError (code internal_error), its details only in the log."""

    error: NotesQAError
    sources: tuple[Source, ...]


AskEvent = SourcesEvent | TokenEvent | DoneEvent | ErrorEvent
