"""Every error becomes the one body `{"error": {"code", "message", "request_id"}}`, here.

The OpenAI-compatible routes (/v1/...) are the exception: OpenAI clients parse OpenAI's own
shape, so there the same errors become `{"error": {"message", "type", "code"}}` (and 400 for
bad input). `render` picks the shape by path; every error path goes through it.

Domain errors carry their own `code` and `http_status` (core/errors.py); this module is the
only place that turns them into HTTP. Unknown exceptions are logged with their traceback and
answered with a bare 500: no traceback, no internal path ever reaches a client.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contract.ask import Source
from contract.errors import ErrorDetail, ErrorResponse
from core.errors import GeneratorBusy, NotesQAError, Unauthorized, WithSources
from service.context import current_request_id
from service.openai_schemas import is_openai_path, openai_error_body, openai_status

log = logging.getLogger(__name__)


def error_body(code: str, message: str, sources: Sequence[Source] | None = None) -> dict[str, Any]:
    body = ErrorResponse(
        error=ErrorDetail(code=code, message=message, request_id=current_request_id()),
        sources=list(sources) if sources is not None else None,
    )
    return body.model_dump(exclude_none=True)


def render(
    path: str,
    status: int,
    code: str,
    message: str,
    sources: Sequence[Source] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """The error response for a request to `path`, in the shape its clients expect."""
    if is_openai_path(path):
        found = [s.model_dump() for s in sources] if sources is not None else None
        return JSONResponse(
            openai_error_body(status, code, message, found), openai_status(status), headers
        )
    return JSONResponse(error_body(code, message, sources), status, headers)


def error_response(
    err: NotesQAError, sources: Sequence[Source] | None = None, path: str = ""
) -> JSONResponse:
    headers: dict[str, str] = {}
    if isinstance(err, GeneratorBusy):
        headers["Retry-After"] = str(err.retry_after_s)
    if isinstance(err, Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"
    # Domain messages are written to be safe to show (see core/errors.py).
    return render(path, err.http_status, err.code, str(err) or err.code, sources, headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for e in exc.errors()[:5]:
        loc = ".".join(str(p) for p in e.get("loc", ()) if p != "body") or "body"
        if e.get("type") == "json_invalid":
            return "request body is not valid JSON"
        parts.append(f"{loc}: {e.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


async def _on_domain(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, NotesQAError)
    if exc.http_status >= 500:
        log.warning("request failed: %s (%s)", exc.code, type(exc).__name__)
    return error_response(exc, path=request.url.path)


async def _on_with_sources(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, WithSources)
    log.warning("generation failed: %s", exc.error.code)
    return error_response(exc.error, exc.sources, request.url.path)


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return render(request.url.path, 422, "bad_input", _validation_message(exc))


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    headers = dict(exc.headers or {})
    return render(request.url.path, exc.status_code, code, str(exc.detail), headers=headers)


def install(app: FastAPI) -> None:
    app.add_exception_handler(NotesQAError, _on_domain)
    app.add_exception_handler(WithSources, _on_with_sources)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)


class UnhandledErrorMiddleware:
    """The last line: anything unexpected becomes a schema-shaped 500 inside the request-id
    middleware (Starlette's own handler sits outside every middleware and would lose it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_tracking)
        except Exception:
            log.exception("unhandled error")
            if started:
                return  # mid-stream: the body is already going; the stream reports its own error
            path = str(scope.get("path", ""))
            response = render(path, 500, "internal_error", "internal server error")
            await response(scope, receive, send)
