"""The HTTP API: /ask (JSON or SSE), /search, /healthz, /readyz, /metrics, and /v1/...
(OpenAI-compatible chat completions, in service/openai_api.py).

`create_app` builds its parts through service/wiring.py (tests pass a fake generator and a
loader that uses a fake embedder; otherwise the real ones are built from Settings).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST

from contract.ask import (
    INDEX_HEADER,
    MAX_QUESTION_CHARS,
    MAX_TOP_K,
    AskRequest,
    AskResponse,
    SearchResponse,
)
from contract.errors import ERROR_RESPONSES
from contract.ops import Health, Readiness, ServiceInfo
from core.errors import BadInput, NotesQAError
from core.settings import Settings
from service import documents, error_handlers
from service.error_handlers import UnhandledErrorMiddleware
from service.generators.base import Generator
from service.index_holder import RetrieverLoader
from service.metrics import MetricsMiddleware
from service.openai_api import openai_router
from service.pipeline import AskPipeline
from service.practice import practice_router
from service.respond import source_from_hit
from service.security import ApiKey, BodyLimitMiddleware, RequestIdMiddleware
from service.streaming import EventStreamResponse, ask_sse
from service.wiring import wire

log = logging.getLogger(__name__)
READY_CHECK_TIMEOUT_S = 5.0  # a probe must answer fast; a hung back-end means not ready


def _router() -> APIRouter:
    router = APIRouter()

    @router.get("/healthz", tags=["ops"], summary="Liveness: the process is up (always 200)")
    async def healthz() -> Health:
        return Health()

    @router.get(
        "/readyz",
        tags=["ops"],
        summary="Readiness: index loaded and generator reachable",
        responses={503: {"model": Readiness, "description": "Not ready, with the reason"}},
    )
    async def readyz(request: Request, _: ApiKey) -> JSONResponse:
        state = request.app.state
        gen: Generator = state.generator
        version = state.holder.version
        reason = None if version else (state.holder.error or "index not loaded")
        if reason is None:
            try:
                await asyncio.wait_for(gen.check(), READY_CHECK_TIMEOUT_S)
            except TimeoutError:
                reason = f"generator {gen.name} did not answer its check in time"
            except NotesQAError as exc:
                reason = str(exc) or exc.code
            except Exception:
                log.exception("generator check failed")
                reason = f"generator {gen.name} check failed"
        body = Readiness(
            ready=reason is None,
            index_version=version,
            generator=gen.name,
            reason=reason,
            # e.g. `current` was corrupt and the last good version is served instead
            warning=state.holder.error if version else None,
        )
        return JSONResponse(body.model_dump(), 200 if reason is None else 503)

    @router.get("/info", tags=["ops"], summary="Generator, model and index in use")
    async def info(request: Request, _: ApiKey) -> ServiceInfo:
        state = request.app.state
        return ServiceInfo(
            generator=state.generator.name,
            model=state.generator.model,
            index_version=state.holder.version,
            default_top_k=state.settings.top_k,
        )

    @router.get(
        "/metrics",
        tags=["ops"],
        summary="Prometheus metrics",
        response_class=Response,
        responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}},
    )
    async def metrics(request: Request, _: ApiKey) -> Response:
        return Response(request.app.state.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    @router.get(
        "/search",
        tags=["qa"],
        summary="Retrieval only: the passages /ask would use",
        response_model=SearchResponse,
        responses=ERROR_RESPONSES,
    )
    async def search(
        request: Request,
        _: ApiKey,
        q: Annotated[str, Query(min_length=1, max_length=MAX_QUESTION_CHARS, examples=["LoRA"])],
        k: Annotated[int | None, Query(ge=1, le=MAX_TOP_K)] = None,
    ) -> Response:
        if not q.strip():
            raise BadInput("q: must not be empty or whitespace only")
        pipeline: AskPipeline = request.app.state.pipeline
        hits, version, elapsed = await pipeline.search(q, k or pipeline.settings.top_k)
        body = SearchResponse(
            query=q,
            index_version=version,
            hits=[source_from_hit(i + 1, h) for i, h in enumerate(hits)],
            request_id=request.state.request_id,
        )
        # Built here and serialised once, in pydantic's core: FastAPI would validate the model
        # again and go through a dict and json.dumps (docs/benchmarks.md, "/search over HTTP").
        headers = {
            INDEX_HEADER: version,
            # the search's own time, so a client can tell it from the HTTP around it
            "Server-Timing": f"retrieve;dur={elapsed * 1000:.1f}",
        }
        return Response(body.model_dump_json(), media_type="application/json", headers=headers)

    @router.post(
        "/ask",
        tags=["qa"],
        summary="Answer a question from the notes, with citations",
        description=(
            "With `stream: false`, a JSON AskResponse. With `stream: true`, Server-Sent Events: "
            '`sources` (the passages, first), `token` (`{"text": ...}`, many), then `done` '
            "(the final AskResponse: validated citations, refused, timings) — or `error` "
            "(the error body, with the sources) if generation fails after the sources were sent."
        ),
        response_model=AskResponse,
        responses={
            **ERROR_RESPONSES,
            200: {
                "description": "The answer (JSON), or an SSE stream when stream is true",
                "content": {"text/event-stream": {"example": "event: sources\ndata: {...}\n\n"}},
            },
        },
    )
    async def ask(body: AskRequest, request: Request, _: ApiKey) -> Response:
        pipeline: AskPipeline = request.app.state.pipeline
        rid: str = request.state.request_id
        plan = await pipeline.plan(body)
        headers = {INDEX_HEADER: plan.index_version}
        if body.stream:
            ticket = pipeline.admit(plan)  # a full queue is a real 429, not a stream error
            on_close = ticket.release if ticket is not None else (lambda: None)
            events = ask_sse(pipeline.events(plan, ticket, rid))
            return EventStreamResponse(events, on_close, headers)
        answer = await pipeline.answer(plan, rid)
        return JSONResponse(answer.model_dump(), headers=headers)

    return router


def create_app(
    settings: Settings | None = None,
    *,
    generator: Generator | None = None,
    retriever_loader: RetrieverLoader | None = None,
) -> FastAPI:
    parts = wire(settings, generator=generator, retriever_loader=retriever_loader)
    settings, holder = parts.settings, parts.holder

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.pipeline = parts.pipeline()  # inside the running loop (see Wiring.pipeline)
        holder.start()
        await asyncio.to_thread(store.recover)  # a job a dead process left: settled, reported
        store.start()
        try:
            yield
        finally:
            await asyncio.to_thread(store.stop)
            await parts.aclose()

    app = FastAPI(
        title="LLM interview notes QA",
        version="0.1.0",
        description=(
            "Grounded question answering over Chinese LLM interview notes: hybrid retrieval, "
            "a refusal gate, and answers that cite the passages they use as [n]."
        ),
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.generator = parts.generator
    app.state.metrics = parts.metrics
    app.state.holder = holder
    error_handlers.install(app)
    app.include_router(_router())
    app.include_router(openai_router())
    app.include_router(practice_router())
    store = documents.install(app, settings, holder)
    # Added innermost first: the request id wraps everything, so even a 500 carries it.
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        per_path=documents.upload_body_limit(settings),
    )
    app.add_middleware(UnhandledErrorMiddleware)
    app.add_middleware(MetricsMiddleware, metrics=parts.metrics)
    app.add_middleware(RequestIdMiddleware)
    return app
