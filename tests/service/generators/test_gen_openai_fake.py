"""OpenAICompatGenerator against a scripted fake OpenAI-compatible server."""

from __future__ import annotations

import asyncio
import json
import math
import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

from core.errors import GeneratorBusy, GeneratorTimeout, GeneratorUnavailable
from core.settings import Settings
from service.generators import GenerationRequest, GeneratorConfig, build_generator
from service.generators.openai_compat import OpenAICompatGenerator

pytestmark = pytest.mark.anyio
STATE: dict[str, Any] = {"closed": 0, "bodies": []}


def _sse(obj: Any) -> str:
    return f"data: {json.dumps(obj, ensure_ascii=False)}\n\n"


def _chunk(content: str | None) -> dict[str, Any]:
    delta = {"content": content} if content is not None else {}
    return {"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta}]}


app = FastAPI()


@app.get("/v1/models")
async def models() -> dict[str, Any]:
    return {"object": "list", "data": [{"id": "fake-model", "object": "model"}]}


@app.post("/v1/chat/completions", response_model=None)
async def chat(request: Request) -> Any:
    body = await request.json()
    STATE["bodies"].append(body)
    last = body["messages"][-1]["content"]
    if last == "error":
        return JSONResponse({"error": {"message": "boom"}}, status_code=500)
    if last == "busy":
        return JSONResponse({"error": "full"}, status_code=429, headers={"Retry-After": "7"})
    if last == "down":
        return JSONResponse({"error": "loading"}, status_code=503)
    if last == "slow":
        await asyncio.sleep(3)
    if body.get("logprobs"):
        top = [{"token": "是", "logprob": math.log(0.8)}, {"token": "否", "logprob": -2.0}]
        lp = {"content": [{"token": "是", "logprob": math.log(0.8), "top_logprobs": top}]}
        msg = {"role": "assistant", "content": "是"}
        return {"choices": [{"index": 0, "message": msg, "logprobs": lp}]}
    if not body.get("stream"):
        return {"choices": [{"index": 0, "message": {"role": "assistant", "content": "答案[1]"}}]}

    async def events() -> AsyncIterator[str]:
        try:
            yield _sse({"choices": [{"index": 0, "delta": {"role": "assistant"}}]})
            if last == "endless":
                while True:
                    yield _sse(_chunk("啊"))
                    await asyncio.sleep(0.05)
            for piece in ("你好", "，世界", "[1]"):
                yield _sse(_chunk(piece))
            yield _sse(_chunk(None))
            yield "data: [DONE]\n\n"
        finally:
            STATE["closed"] += 1

    return StreamingResponse(events(), media_type="text/event-stream")


@pytest.fixture(scope="module")
def base_url(threaded_server: Any) -> Iterator[str]:
    with threaded_server(app) as srv:
        yield f"http://127.0.0.1:{srv.port}/v1"


def make(base_url: str, **kw: Any) -> OpenAICompatGenerator:
    cfg = GeneratorConfig.from_settings(
        Settings(), kind="openai", base_url=base_url, model="fake-model", **kw
    )
    gen = build_generator("openai", cfg)
    assert isinstance(gen, OpenAICompatGenerator)
    return gen


def req(text: str, **kw: Any) -> GenerationRequest:
    return GenerationRequest(text, (), ({"role": "user", "content": text},), **kw)


async def test_complete_sends_sampling_params(base_url: str) -> None:
    gen = make(base_url)
    assert await gen.complete(req("hi", max_tokens=33, temperature=0.2)) == "答案[1]"
    body = STATE["bodies"][-1]
    assert body["model"] == "fake-model" and body["max_tokens"] == 33
    assert body["temperature"] == 0.2 and not body.get("stream")
    await gen.aclose()


async def test_stream_yields_deltas(base_url: str) -> None:
    gen = make(base_url)
    assert [d async for d in gen.stream(req("hi"))] == ["你好", "，世界", "[1]"]
    assert STATE["bodies"][-1]["stream"] is True
    await gen.aclose()


async def test_closing_the_stream_closes_the_connection(base_url: str) -> None:
    gen = make(base_url)
    before = STATE["closed"]
    stream = gen.stream(req("endless"))
    got = [await stream.__anext__(), await stream.__anext__()]
    assert got == ["啊", "啊"]
    await stream.aclose()  # type: ignore[attr-defined]
    for _ in range(100):
        if STATE["closed"] > before:
            break
        await asyncio.sleep(0.02)
    assert STATE["closed"] > before, "the server kept streaming after the client left"
    await gen.aclose()


async def test_check(base_url: str) -> None:
    await make(base_url).check()
    with pytest.raises(GeneratorUnavailable, match="does not serve"):
        await build_generator(
            "vllm", GeneratorConfig.from_settings(Settings(), base_url=base_url, model="x")
        ).check()


@pytest.mark.parametrize(
    ("text", "error"),
    [("error", GeneratorUnavailable), ("busy", GeneratorBusy), ("down", GeneratorUnavailable)],
)
async def test_http_errors_map_to_domain_errors(base_url: str, text: str, error: type) -> None:
    gen = make(base_url)
    with pytest.raises(error) as info:
        await gen.complete(req(text))
    with pytest.raises(error):
        _ = [d async for d in gen.stream(req(text))]
    if isinstance(info.value, GeneratorBusy):
        assert info.value.retry_after_s == 7
    if text == "error":
        assert "boom" in str(info.value)


async def test_slow_reply_times_out(base_url: str) -> None:
    gen = make(base_url, timeout_s=0.5)
    with pytest.raises(GeneratorTimeout):
        await gen.complete(req("slow"))
    with pytest.raises(GeneratorTimeout):
        _ = [d async for d in gen.stream(req("slow"))]


async def test_unreachable_server_is_unavailable() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    gen = make(f"http://127.0.0.1:{port}/v1")
    with pytest.raises(GeneratorUnavailable, match="cannot connect"):
        await gen.complete(req("hi"))
    with pytest.raises(GeneratorUnavailable):
        await gen.check()


async def test_first_token_logprobs(base_url: str) -> None:
    top = await make(base_url).first_token_logprobs([{"role": "user", "content": "支持吗？"}], 5)
    assert top == [("是", pytest.approx(math.log(0.8))), ("否", -2.0)]
    body = STATE["bodies"][-1]
    assert body["max_tokens"] == 1 and body["top_logprobs"] == 5 and body["logprobs"] is True


def test_count_tokens_estimate() -> None:
    gen = make("http://127.0.0.1:1/v1")
    assert gen.count_tokens("注意力机制") == 5
    assert 2 <= gen.count_tokens("attention heads") <= 5
