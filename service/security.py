"""Request ids, the body-size limit and the optional bearer API key.

The two middlewares are plain ASGI (not BaseHTTPMiddleware) so they never buffer or break a
streamed SSE response.
"""

from __future__ import annotations

import hmac
import re
import uuid
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.errors import BadInput, Unauthorized
from service.context import request_id_var
from service.error_handlers import error_response

REQUEST_ID_HEADER = "X-Request-Id"
# Echo a caller's id only if it is short and tame: it ends up in logs and headers.
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


class BodyTooLarge(BadInput):
    code = "body_too_large"


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = ""
        for name, value in scope.get("headers", []):
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
        rid = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid
        token = request_id_var.set(rid)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"x-request-id"]
                headers.append((b"x-request-id", rid.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)


class BodyLimitMiddleware:
    """Refuse a body over `max_bytes` before anything parses it, chunked uploads included."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, per_path: dict[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.per_path = per_path or {}  # exact paths with their own limit (uploads)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        err = BodyTooLarge(f"request body is larger than {limit} bytes")
        await error_response(err, path=str(scope.get("path", "")))(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.per_path.get(str(scope.get("path", "")), self.max_bytes)
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._refuse(scope, receive, send, limit)
            return
        parts: list[bytes] = []
        size = 0
        early: Message | None = None
        while True:
            message = await receive()
            if message["type"] != "http.request":
                early = message  # the client left while uploading
                break
            parts.append(message.get("body", b""))
            size += len(parts[-1])
            if size > limit:
                await self._refuse(scope, receive, send, limit)
                return
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                if early is not None:
                    return early
                return {"type": "http.request", "body": b"".join(parts), "more_body": False}
            return await receive()  # afterwards: wait for http.disconnect as usual

        await self.app(scope, replay, send)


_bearer = HTTPBearer(auto_error=False, description="Set when the server has NOTESQA_API_KEY.")


async def require_api_key(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Every route but /healthz. Constant-time comparison: no timing oracle on the key."""
    key: str | None = request.app.state.settings.api_key
    if not key:
        return
    given = credentials.credentials if credentials else ""
    if not hmac.compare_digest(given.encode("utf-8"), key.encode("utf-8")):
        raise Unauthorized("missing or wrong API key")


ApiKey = Annotated[None, Depends(require_api_key)]
