"""The one error body, for every status and for a stream's `error` event."""

from __future__ import annotations

from pydantic import BaseModel, Field

from contract.ask import Source


class ErrorDetail(BaseModel):
    code: str = Field(examples=["bad_input"])
    message: str = Field(examples=["question: must not be empty or whitespace only"])
    request_id: str = Field(examples=["8f14e45fceea167a5a36dedd4bea2543"])


class ErrorResponse(BaseModel):
    """The one error shape, for every status. Generator failures still carry the sources."""

    error: ErrorDetail
    sources: list[Source] | None = None


def error_responses(*statuses: tuple[int, str]) -> dict[int | str, dict[str, object]]:
    """OpenAPI `responses=` for a group of routes: each status with the one error body and
    what it means there."""
    return {status: {"model": ErrorResponse, "description": text} for status, text in statuses}


# The statuses /ask, /search and the ops routes can answer with.
ERROR_RESPONSES = error_responses(
    (401, "Missing or wrong bearer API key"),
    (422, "Invalid input: empty/oversized question, bad top_k, too much history, bad JSON"),
    (429, "Generation queue full; see Retry-After"),
    (500, "Unexpected server error"),
    (503, "Index not loaded or generator unavailable"),
    (504, "Generator timed out"),
)
