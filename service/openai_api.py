"""OpenAI-compatible routes, so any chat client can use the notes as a model.

`POST /v1/chat/completions` (JSON or SSE) runs the same pipeline as /ask: the last user message
is the question, earlier user/assistant messages are the history; the gate, the refusal, the
generation limiter and the API key (`Authorization: Bearer`, as OpenAI clients send it) all
apply. The answer text cites passages as [n] and ends with a sources list; the structured
passages come in `citations` (top level of the completion; in a stream, on the final chunk,
whose delta is empty). `GET /v1/models` lists the one model. Errors use OpenAI's shape.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException

from contract.ask import (
    INDEX_HEADER,
    MAX_HISTORY_TURNS,
    MAX_TURN_CHARS,
    AskRequest,
    AskResponse,
    HistoryTurn,
    Source,
)
from contract.errors import ERROR_RESPONSES
from core.errors import BadInput
from service.events import DoneEvent, SourcesEvent, TokenEvent
from service.limiter import Ticket
from service.openai_schemas import (
    MODEL_ID,
    AssistantMessage,
    ChatCompletion,
    ChatCompletionRequest,
    ChatMessage,
    Choice,
    ModelCard,
    ModelList,
    openai_error_body,
)
from service.pipeline import AskPipeline, Plan
from service.security import ApiKey
from service.streaming import EventStreamResponse

SOURCES_HEADING = "来源 / Sources:"
_SOURCES_MARK = "\n\n" + SOURCES_HEADING


def sources_block(citations: Sequence[Source | dict[str, Any]]) -> str:
    """'\\n\\n来源 / Sources:\\n[1] file › heading › path' …, or '' when nothing is cited."""
    lines = []
    for c in citations:
        s = c if isinstance(c, Source) else Source.model_validate(c)
        lines.append(f"[{s.n}] " + " › ".join([s.file, *s.heading_path]))
    return f"{_SOURCES_MARK}\n" + "\n".join(lines) if lines else ""


def _turn(message: ChatMessage) -> HistoryTurn | None:
    text = message.text()
    if message.role == "assistant":  # our own sources list is noise for the rewriter
        text = text.split(_SOURCES_MARK, 1)[0]
    if message.role not in ("user", "assistant") or not text.strip():
        return None  # system prompts and tool turns: the service has its own prompt
    return HistoryTurn(role=message.role, content=text[:MAX_TURN_CHARS])


def to_ask_request(body: ChatCompletionRequest) -> AskRequest:
    """The last message is the question; the user/assistant turns before it, the history."""
    if body.n not in (None, 1):
        raise BadInput("n: only 1 choice is supported")
    *earlier, last = body.messages
    if last.role != "user":
        raise BadInput("messages: the last message must be the user's question (role user)")
    turns = [t for t in map(_turn, earlier) if t is not None][-MAX_HISTORY_TURNS:]
    try:
        return AskRequest(question=last.text(), history=turns, stream=bool(body.stream))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = "messages[-1].content" if first["loc"][:1] == ("question",) else "messages"
        raise BadInput(f"{where}: {first['msg']}") from exc


def _chunk(cid: str, created: int, delta: dict[str, Any], **extra: Any) -> str:
    choice = {"index": 0, "delta": delta, "finish_reason": extra.pop("finish_reason", None)}
    body = {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": created,
        "model": MODEL_ID,
        "choices": [choice],
        **extra,
    }
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


async def _chunks(
    pipeline: AskPipeline, plan: Plan, ticket: Ticket | None, request_id: str
) -> AsyncIterator[str]:
    """The pipeline's events as chat.completion.chunk SSE: role, content deltas, the sources
    list as text, a final empty delta carrying `citations`, then [DONE]. A failure after the
    first byte is an `{"error": ..., "sources": ...}` event (OpenAI clients raise on it)."""
    cid, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
    events = pipeline.events(plan, ticket, request_id)
    try:
        async for ev in events:
            if isinstance(ev, SourcesEvent):
                yield _chunk(cid, created, {"role": "assistant", "content": ""})
            elif isinstance(ev, TokenEvent):
                continue  # the draft: an OpenAI client keeps every delta, so it gets the
                # checked answer only (in `done`), never sentences the check removes
            elif isinstance(ev, DoneEvent):
                answer = ev.response
                citations = [c.model_dump() for c in answer.citations]
                if answer.answer:
                    yield _chunk(cid, created, {"content": answer.answer})
                if block := sources_block(answer.citations):
                    yield _chunk(cid, created, {"content": block})
                yield _chunk(
                    cid,
                    created,
                    {},
                    finish_reason="stop",
                    citations=citations,
                    refused=answer.refused,
                    index_version=answer.index_version,
                )
            else:
                err = ev.error
                found = [src.model_dump() for src in ev.sources]
                body = openai_error_body(err.http_status, err.code, str(err) or err.code, found)
                yield f"data: {json.dumps(body, ensure_ascii=False)}\n\n"
        yield "data: [DONE]\n\n"
    finally:
        await events.aclose()


def _completion(answer: AskResponse) -> ChatCompletion:
    text = (answer.answer or "") + sources_block(answer.citations)
    return ChatCompletion(
        id=f"chatcmpl-{uuid.uuid4().hex}",
        created=int(time.time()),
        choices=[Choice(message=AssistantMessage(content=text))],
        citations=answer.citations,
        refused=answer.refused,
        index_version=answer.index_version,
    )


def openai_router() -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["openai"])

    @router.get("/models", summary="OpenAI-compatible: the one model this service offers")
    async def models(_: ApiKey) -> ModelList:
        return ModelList(data=[ModelCard()])

    @router.get("/models/{model_id}", summary="OpenAI-compatible: one model")
    async def model(model_id: str, _: ApiKey) -> ModelCard:
        if model_id != MODEL_ID:
            raise HTTPException(
                404, f"model {model_id!r} not found; this service offers {MODEL_ID}"
            )
        return ModelCard()

    @router.post(
        "/chat/completions",
        summary="OpenAI-compatible chat: answers from the notes, with citations",
        description=(
            "The last message (role user) is the question; earlier user/assistant messages are "
            "the history. Sampling parameters are ignored (the server's settings apply). The "
            "reply text cites passages as [n] and lists them after '来源 / Sources:'; "
            "`citations` carries them structured (in a stream: on the final, empty-delta chunk). "
            'Errors: `{"error": {"message", "type", "code"}}`, as OpenAI sends them.'
        ),
        response_model=ChatCompletion,
        responses={
            **{k: {"description": v["description"]} for k, v in ERROR_RESPONSES.items()},
            200: {
                "description": "A chat.completion, or chat.completion.chunk SSE when streaming",
                "content": {"text/event-stream": {"example": "data: {...}\n\ndata: [DONE]\n\n"}},
            },
        },
    )
    async def chat_completions(
        body: ChatCompletionRequest, request: Request, _: ApiKey
    ) -> Response:
        pipeline: AskPipeline = request.app.state.pipeline
        rid: str = request.state.request_id
        plan = await pipeline.plan(to_ask_request(body))
        headers = {INDEX_HEADER: plan.index_version}
        if body.stream:
            ticket = pipeline.admit(plan)  # a full queue is a real 429, not a stream error
            on_close = ticket.release if ticket is not None else (lambda: None)
            return EventStreamResponse(_chunks(pipeline, plan, ticket, rid), on_close, headers)
        answer = await pipeline.answer(plan, rid)
        return JSONResponse(_completion(answer).model_dump(), headers=headers)

    return router
