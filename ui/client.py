"""The HTTP client of the API: streamed answers (SSE), search, readiness, friendly errors.

It imports nothing from the server: the wire format comes from contract/. Every failure,
whether the API is down, answers with an error status, or breaks off a stream, becomes an
`ApiError` whose message is written for the person at the chat page.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import ValidationError

from contract.ask import AskResponse, SearchResponse, Source, StreamEvent
from contract.errors import ErrorResponse
from contract.ops import Readiness, ServiceInfo
from contract.sse import parse_sse
from core.settings import Settings


@dataclass(frozen=True)
class ClientSettings:
    """The client's view of the one Settings tree (core/settings.py: api_url, api_key,
    client_*_timeout_s), with no defaults of its own. Derived rather than a second
    BaseSettings: core.settings imports only pydantic-settings, so the UI reads the same
    NOTESQA_* variables and .env without pulling in the server's dependencies."""

    api_url: str
    api_key: str | None
    connect_timeout_s: float
    read_timeout_s: float

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> ClientSettings:
        """From `settings`, or from the environment and .env; a bad value raises
        pydantic's ValidationError, which the page turns into one line."""
        s = Settings() if settings is None else settings
        return cls(
            api_url=s.api_url.strip().rstrip("/"),
            api_key=(s.api_key or "").strip() or None,  # a blank key means none
            connect_timeout_s=s.client_connect_timeout_s,
            read_timeout_s=s.client_read_timeout_s,
        )


@dataclass(frozen=True)
class SourcesEvent:
    sources: list[Source]
    question_used: str | None = None


@dataclass(frozen=True)
class TokenEvent:
    text: str


@dataclass(frozen=True)
class DoneEvent:
    response: AskResponse


Event = SourcesEvent | TokenEvent | DoneEvent


class ApiError(Exception):
    """A failure, with a message safe and friendly to show as is."""

    def __init__(
        self,
        message: str,
        *,
        code: str,
        status: int | None = None,
        retry_after_s: int | None = None,
        sources: Sequence[Source] = (),
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.retry_after_s = retry_after_s
        self.sources: list[Source] = list(sources)
        self.request_id = request_id


def _retry_after(headers: Mapping[str, str]) -> int | None:
    value = headers.get("retry-after") or headers.get("Retry-After")
    try:
        return max(0, int(float(value))) if value else None
    except ValueError:
        return None


def error_from_body(status: int | None, body: Any, retry_after_s: int | None = None) -> ApiError:
    """The API's error body `{"error": {...}, "sources"?}` (HTTP or an SSE `error` event)."""
    try:
        parsed = ErrorResponse.model_validate(body)
        code, detail = parsed.error.code, parsed.error.message
        rid, sources = parsed.error.request_id, parsed.sources or []
    except ValidationError:
        code, detail, rid, sources = f"http_{status}", "", None, []
    kw: dict[str, Any] = {"status": status, "sources": sources, "request_id": rid}
    if status == 429 or code == "generator_busy":
        wait = f"in {retry_after_s} s" if retry_after_s is not None else "in a few seconds"
        return ApiError(
            f"The model is busy answering other questions. Try again {wait}.",
            code=code,
            retry_after_s=retry_after_s,
            **kw,
        )
    if status == 504 or code == "generator_timeout":
        shown = " The passages found are shown below." if sources else ""
        return ApiError(f"The model took too long to answer.{shown}", code=code, **kw)
    if status == 401 or code == "unauthorized":
        msg = "The API refused the key: set NOTESQA_API_KEY to the service's API key."
        return ApiError(msg, code=code, **kw)
    if status == 422 or code == "bad_input":
        return ApiError(f"The API did not accept the question: {detail}", code=code, **kw)
    if status == 503 or code in ("generator_unavailable", "index_not_ready"):
        reason = f" ({detail})" if detail else ""
        return ApiError(f"The service is not ready yet{reason}. Try again soon.", code=code, **kw)
    ref = f" (request id {rid})" if rid else ""
    what = f"an error ({status})" if status else "an error"
    return ApiError(f"The API answered with {what}{ref}. Try again.", code=code, **kw)


def error_from_response(response: httpx.Response) -> ApiError:
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    return error_from_body(response.status_code, body, _retry_after(response.headers))


def error_from_exception(exc: Exception, api_url: str) -> ApiError:
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        return ApiError(
            f"Can't reach the notes API at {api_url}. Is it running? (`make run` starts it.)",
            code="api_unreachable",
        )
    if isinstance(exc, httpx.TimeoutException):
        return ApiError("The API didn't answer in time. Try again.", code="api_timeout")
    if isinstance(exc, httpx.HTTPError):
        return ApiError("The connection to the API broke off. Try again.", code="api_broken")
    return ApiError("The API sent a reply the chat could not read.", code="bad_reply")


class NotesQAClient:
    def __init__(
        self, settings: ClientSettings | None = None, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.settings = settings or ClientSettings.from_settings()
        self._transport = transport

    def _client(self) -> httpx.Client:
        s = self.settings
        headers = {"Authorization": f"Bearer {s.api_key}"} if s.api_key else {}
        timeout = httpx.Timeout(s.read_timeout_s, connect=s.connect_timeout_s)
        return httpx.Client(
            base_url=s.api_url, headers=headers, timeout=timeout, transport=self._transport
        )

    def ask_stream(
        self, question: str, *, history: Sequence[Mapping[str, str]] = (), top_k: int | None = None
    ) -> Iterator[Event]:
        """sources → token… → done. Raises ApiError on any failure, before or mid-stream."""
        body: dict[str, Any] = {"question": question, "history": list(history), "stream": True}
        if top_k is not None:
            body["top_k"] = top_k
        try:
            with self._client() as client, client.stream("POST", "/ask", json=body) as resp:
                if resp.status_code != 200:
                    resp.read()
                    raise error_from_response(resp)
                for event, data in parse_sse(resp.iter_lines()):
                    item = _event(event, json.loads(data))
                    if item is None:
                        continue
                    yield item
                    if isinstance(item, DoneEvent):
                        return
        except (httpx.HTTPError, ValueError) as exc:
            raise error_from_exception(exc, self.settings.api_url) from exc
        raise ApiError("The answer was cut off before it finished. Try again.", code="incomplete")

    def search(self, q: str, k: int | None = None) -> SearchResponse:
        params: dict[str, str | int] = {"q": q}
        if k is not None:
            params["k"] = k
        return SearchResponse.model_validate(self._get_json("/search", params))

    def info(self) -> ServiceInfo:
        """GET /info: generator, model and index in use."""
        return ServiceInfo.model_validate(self._get_json("/info", {}))

    def readiness(self) -> Readiness:
        """GET /readyz: a 503 with a Readiness body is an answer (not ready), not an error."""
        return Readiness.model_validate(self._get_json("/readyz", {}, ok=(200, 503)))

    def _get_json(
        self, path: str, params: Mapping[str, str | int], ok: tuple[int, ...] = (200,)
    ) -> Any:
        try:
            with self._client() as client:
                resp = client.get(path, params=params)
                if resp.status_code not in ok:
                    raise error_from_response(resp)
                return resp.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise error_from_exception(exc, self.settings.api_url) from exc


def _event(name: str, data: Any) -> Event | None:
    if not isinstance(data, dict):
        raise ValueError(f"event {name!r}: data is not an object")
    if name == StreamEvent.SOURCES:
        sources = [Source.model_validate(s) for s in data.get("sources", [])]
        return SourcesEvent(sources, data.get("question_used"))
    if name == StreamEvent.TOKEN:
        return TokenEvent(str(data.get("text", "")))
    if name == StreamEvent.DONE:
        return DoneEvent(AskResponse.model_validate(data))
    if name == StreamEvent.ERROR:
        raise error_from_body(None, data)
    return None  # an event this client does not know: skipped, for forward compatibility
