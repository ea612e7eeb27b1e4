"""A hand-written stand-in for the HTTP API, scripted by words in the question.

It speaks the real wire format (the response models from contract/, SSE framed like
service/pipeline.py) so the UI's client and page are tested against what the service sends.

Script: "busy" → 429 with Retry-After; "gateway" → HTTP 504 with sources; "timeout" → SSE
sources then an `error` event; "天气" → refusal; "html" → the model writes <script>; "cut" →
the stream stops before `done`; "crash" → a 500 that is not JSON; anything else → an answer,
with two related questions (`related`). Practice routes: tests/ui/fake_practice.py.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse

from contract.ask import AskResponse, SearchResponse, Source, StreamEvent, SupportFigure, Timings
from contract.ops import Readiness, ServiceInfo
from contract.practice import RelatedQuestion, SourceRef
from tests.ui.fake_practice import BANK, add_practice_routes

RETRY_AFTER_S = 7
MODEL = "fake-qwen-0.5b"
GENERATOR = "fake-vllm"
INDEX = "test-index-v1"
# /info's defaults, unlike the service's own (5 and 20), so a test sees the page use them
DEFAULT_TOP_K, MAX_TOP_K = 4, 12
SCRIPT_PASSAGE = "危险示例：<script>alert('xss')</script> 和 **粗体** 不应被渲染。"
ERRATUM = "这段示例说粗体不应被渲染，有误：它只是不被当作 HTML。"

PASSAGES = [
    Source(
        n=1,
        chunk_id="003_lora.txt#4",
        file="003_lora.txt",
        heading_path=["参数高效微调", "LoRA 的原理是什么？"],
        start=1200,
        end=1530,
        text=(
            "LoRA（Low-Rank Adaptation）冻结预训练模型的权重。"
            "它在原权重旁加入两个低秩矩阵 A 和 B，训练时只更新这两个小矩阵。"
            "推理时可以把 BA 合并回原权重，因此不增加推理延迟。"
            "秩 r 通常取 4 到 64。"
            "\n常见追问：LoRA 一般加在哪些层？通常加在注意力的 q、v 投影上，"
            "也可以加在所有线性层上，效果更好但参数更多。"
            "\n和全参数微调相比，LoRA 显存占用小，一张消费级显卡就能微调 7B 模型。"
        ),
        score=0.91,
    ),
    Source(
        n=2,
        chunk_id="000_misc.txt#9",
        file="000_misc.txt",
        heading_path=["杂项", "安全"],
        start=50,
        end=120,
        text=SCRIPT_PASSAGE,
        score=0.42,
        errata=[ERRATUM],
    ),
]
ANSWER_TOKENS = [
    "LoRA 在原权重旁",
    "加入两个低秩矩阵 A 和 B",
    "[1]。",
    "训练时只更新",
    "这两个小矩阵[1]。",
]
HTML_TOKENS = ["模型说：", "<script>alert('pwned')</script>", " [link](http://x.test)", "[1]。"]
REFUSAL = "资料中没有相关信息。"
RELATED = [
    RelatedQuestion(
        question_id=q.question_id,
        question=q.question,
        topic=list(q.topic),
        source=SourceRef(file="000_fake.txt", heading_path=[*q.topic, q.question], start=0, end=9),
    )
    for q in BANK[:2]  # not "LoRA 的原理是什么？": an example question, and the one answered
]


def _sse(event: StreamEvent, data: object) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _error(code: str, message: str, sources: list[Source] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"error": {"code": code, "message": message, "request_id": "rid-123"}}
    if sources is not None:
        body["sources"] = [s.model_dump() for s in sources]
    return body


def _done(question: str, answer: str, refused: bool) -> dict[str, Any]:
    return AskResponse(
        answer=answer,
        refused=refused,
        refusal_reason="no_evidence" if refused else None,
        question_used=question,
        citations=[] if refused else [PASSAGES[0]],
        sources=PASSAGES,
        timings_ms=Timings(retrieve=12.0, generate=0.0 if refused else 840.0, total=860.0),
        support=None
        if refused
        else SupportFigure(verified=1.0, key_terms=1.0, retrieval=0.93, level="high"),
        model=MODEL,
        index_version=INDEX,
        request_id="rid-123",
        related=[] if refused else RELATED,
    ).model_dump()


def create_fake_api(
    api_key: str | None = None, token_delay_s: float = 0.02, with_info: bool = True
) -> FastAPI:
    """with_info=False: an older server without GET /info (404)."""
    app = FastAPI()
    app.state.requests = []

    def denied(request: Request) -> Response | None:
        if api_key and request.headers.get("authorization") != f"Bearer {api_key}":
            return JSONResponse(_error("unauthorized", "missing or wrong API key"), 401)
        return None

    @app.get("/readyz")
    async def readyz(request: Request) -> Response:
        if (no := denied(request)) is not None:
            return no
        return JSONResponse(
            Readiness(ready=True, index_version=INDEX, generator=GENERATOR).model_dump()
        )

    @app.get("/info")
    async def info(request: Request) -> Response:
        if (no := denied(request)) is not None:
            return no
        if not with_info:
            return JSONResponse({"detail": "Not Found"}, 404)
        body = ServiceInfo(
            generator=GENERATOR,
            model=MODEL,
            index_version=INDEX,
            default_top_k=DEFAULT_TOP_K,
            max_top_k=MAX_TOP_K,
        )
        return JSONResponse(body.model_dump())

    @app.get("/search")
    async def search(request: Request, q: str, k: int = 5) -> Response:
        if (no := denied(request)) is not None:
            return no
        app.state.requests.append({"path": "/search", "q": q, "k": k})
        if "busy" in q:
            headers = {"Retry-After": str(RETRY_AFTER_S)}
            return JSONResponse(_error("generator_busy", "queue full"), 429, headers=headers)
        hits = PASSAGES[:k]
        body = SearchResponse(query=q, index_version=INDEX, hits=hits, request_id="rid-123")
        return JSONResponse(body.model_dump())

    @app.post("/ask")
    async def ask(request: Request) -> Response:
        if (no := denied(request)) is not None:
            return no
        body = await request.json()
        app.state.requests.append({"path": "/ask", **body})
        q: str = body["question"]
        if "busy" in q:
            headers = {"Retry-After": str(RETRY_AFTER_S)}
            return JSONResponse(
                _error("generator_busy", "queue full", PASSAGES), 429, headers=headers
            )
        if "gateway" in q:
            return JSONResponse(_error("generator_timeout", "no answer within 60 s", PASSAGES), 504)
        if "crash" in q:
            return PlainTextResponse("Internal Server Error", 500)
        return StreamingResponse(_events(q), media_type="text/event-stream")

    async def _events(q: str) -> AsyncIterator[str]:
        head = {"sources": [s.model_dump() for s in PASSAGES], "question_used": q}
        yield ": a comment line, which clients must skip\n\n"
        yield _sse(StreamEvent.SOURCES, {**head, "index_version": INDEX, "request_id": "rid-123"})
        if "天气" in q:
            yield _sse(StreamEvent.TOKEN, {"text": REFUSAL})
            yield _sse(StreamEvent.DONE, _done(q, REFUSAL, refused=True))
            return
        tokens = HTML_TOKENS if "html" in q else ANSWER_TOKENS
        for i, tok in enumerate(tokens):
            await asyncio.sleep(token_delay_s)
            yield _sse(StreamEvent.TOKEN, {"text": tok})
            if i == 1 and "timeout" in q:
                yield _sse(StreamEvent.ERROR, _error("generator_timeout", "no output for 60 s"))
                return
            if i == 1 and "cut" in q:
                return
        yield _sse(StreamEvent.DONE, _done(q, "".join(tokens), refused=False))

    add_practice_routes(app, denied)
    return app


class FakeApiServer:
    """The fake API under uvicorn in a background thread, on a port the OS picks."""

    def __init__(self, app: FastAPI) -> None:
        import uvicorn

        self.app = app
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = int(self.sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        cfg = uvicorn.Config(app, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(cfg)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]})

    @property
    def requests(self) -> list[dict[str, Any]]:
        return self.app.state.requests  # type: ignore[no-any-return]

    def __enter__(self) -> FakeApiServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("fake API did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
