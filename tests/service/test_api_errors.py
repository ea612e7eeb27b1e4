"""Bad input → 422 with the one error schema and no generation; domain errors → their status."""

from __future__ import annotations

import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from core.errors import GeneratorBusy, GeneratorTimeout, GeneratorUnavailable

BAD_ASKS: list[tuple[str, Any]] = [
    ("empty", {"question": ""}),
    ("whitespace", {"question": " \n\t　"}),
    ("oversized", {"question": "长" * 2001}),
    ("number", {"question": 123}),
    ("list", {"question": ["LoRA"]}),
    ("null", {"question": None}),
    ("missing", {}),
    ("top_k_zero", {"question": "LoRA", "top_k": 0}),
    ("top_k_big", {"question": "LoRA", "top_k": 21}),
    ("top_k_text", {"question": "LoRA", "top_k": "five"}),
    ("history_long", {"question": "LoRA", "history": [{"role": "user", "content": "x"}] * 21}),
    ("history_role", {"question": "LoRA", "history": [{"role": "system", "content": "x"}]}),
    ("stream_text", {"question": "LoRA", "stream": "yes"}),
    ("unknown_field", {"question": "LoRA", "topk": 3}),
    ("not_object", ["LoRA"]),
]


@pytest.mark.parametrize(("case", "body"), BAD_ASKS, ids=[c for c, _ in BAD_ASKS])
def test_bad_ask_is_422_and_never_generates(app_factory, error_of, case: str, body: Any) -> None:
    with app_factory() as (client, gen):
        resp = client.post("/ask", json=body)
        err = error_of(resp, 422, "bad_input")
        assert err["error"]["message"]
        assert gen.calls == 0


def test_malformed_json_is_422(app_factory, error_of) -> None:
    with app_factory() as (client, gen):
        resp = client.post(
            "/ask", content=b'{"question": "LoRA",', headers={"content-type": "application/json"}
        )
        body = error_of(resp, 422, "bad_input")
        assert "JSON" in body["error"]["message"]
        assert gen.calls == 0


def test_body_over_limit_is_422_even_when_chunked(app_factory, error_of) -> None:
    with app_factory(max_body_bytes=1000) as (client, gen):
        big = json.dumps({"question": "LoRA", "history": [{"role": "user", "content": "x" * 990}]})
        error_of(
            client.post("/ask", content=big.encode(), headers={"content-type": "application/json"}),
            422,
            "body_too_large",
        )

        def chunks():  # no Content-Length: the limit must count what arrives
            yield big[:600].encode()
            yield big[600:].encode()

        error_of(
            client.post("/ask", content=chunks(), headers={"content-type": "application/json"}),
            422,
            "body_too_large",
        )
        assert gen.calls == 0


def test_bad_search_params(app_factory, error_of) -> None:
    with app_factory() as (client, _):
        for params in ({"q": ""}, {"q": "   "}, {"q": "LoRA", "k": 0}, {"q": "LoRA", "k": 99}, {}):
            error_of(client.get("/search", params=params), 422, "bad_input")


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (GeneratorTimeout("the model took too long"), 504, "generator_timeout"),
        (GeneratorUnavailable("llama server is down"), 503, "generator_unavailable"),
    ],
)
def test_generator_failure_keeps_sources(
    app_factory, Fake, error_of, on_topic, error, status, code
) -> None:
    with app_factory(Fake(error=error)) as (client, gen):
        body = error_of(client.post("/ask", json={"question": on_topic}), status, code)
        assert gen.calls == 1
        assert body["sources"] and body["sources"][0]["n"] == 1
        assert {"chunk_id", "file", "heading_path", "start", "end", "text", "score"} <= set(
            body["sources"][0]
        )
        metrics = client.get("/metrics").text
        assert f'notesqa_generator_errors_total{{code="{code}"}} 1.0' in metrics


def test_generator_busy_is_429_with_retry_after(app_factory, Fake, error_of, on_topic) -> None:
    with app_factory(Fake(error=GeneratorBusy("queue full", retry_after_s=7))) as (client, _):
        resp = client.post("/ask", json={"question": on_topic})
        error_of(resp, 429, "generator_busy")
        assert resp.headers["retry-after"] == "7"


def test_full_queue_is_429_before_generating(app_factory, error_of, on_topic) -> None:
    with app_factory(max_concurrency=1, max_queue=1) as (client, gen):
        limiter = client.app.state.pipeline.limiter
        held = [limiter.reserve(), limiter.reserve()]  # one running, one waiting
        for stream in (False, True):
            resp = client.post("/ask", json={"question": on_topic, "stream": stream})
            error_of(resp, 429, "generator_busy")
            assert int(resp.headers["retry-after"]) > 0
        assert gen.calls == 0
        for t in held:
            t.release()
        assert client.post("/ask", json={"question": on_topic}).status_code == 200
        assert limiter.admitted == 0


def test_unknown_exception_is_a_bare_500(app_factory, Fake, error_of, on_topic) -> None:
    boom = RuntimeError("secret detail at /work/main/service/pipeline.py line 1")
    with app_factory(Fake(error=boom)) as (client, _):
        body = error_of(client.post("/ask", json={"question": on_topic}), 500, "internal_error")
        assert "secret" not in json.dumps(body)


def test_no_index_is_503_and_not_ready(tmp_path, Fake, error_of) -> None:
    from fastapi.testclient import TestClient

    from core.settings import Settings
    from service.app import create_app

    app = create_app(Settings(index_dir=tmp_path / "none"), generator=Fake())
    with TestClient(app) as client:
        assert app.state.holder.first_attempt.wait(10)
        error_of(client.post("/ask", json={"question": "LoRA"}), 503, "index_not_ready")
        ready = client.get("/readyz")
        assert ready.status_code == 503 and "no index" in ready.json()["reason"]
        assert client.get("/healthz").status_code == 200


def test_unknown_route_uses_the_schema(app_factory, error_of) -> None:
    with app_factory() as (client, _):
        error_of(client.get("/nope"), 404, "not_found")
        error_of(client.get("/ask"), 405, "method_not_allowed")


def _wait_for(cond: Any, timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while not cond():
        assert time.monotonic() < deadline, "condition never held"
        time.sleep(0.01)


def _retrievals(url: str) -> float:
    metrics = httpx.get(f"{url}/metrics", timeout=10).text
    found = re.search(r'^notesqa_stage_seconds_count\{stage="retrieve"\} (\S+)$', metrics, re.M)
    assert found, "no retrieve stage count in /metrics"
    return float(found.group(1))


def test_a_queued_request_past_its_deadline_is_429_with_sources_not_504(
    live_app, Fake, error_of, sse, on_topic
) -> None:
    slow = Fake(delay_s=6.0)
    limits = {"max_concurrency": 1, "max_queue": 2, "queue_timeout_s": 0.3, "llm_timeout_s": 30}
    with live_app(slow, **limits) as srv, ThreadPoolExecutor(1) as pool:
        ask = f"{srv.url}/ask"
        first = pool.submit(httpx.post, ask, json={"question": on_topic}, timeout=30)
        _wait_for(lambda: slow.calls == 1)  # generating; the slot is held for 6 s

        t0 = time.monotonic()
        body = error_of(httpx.post(ask, json={"question": on_topic}, timeout=30), 429)
        assert body["error"]["code"] == "generator_busy"
        assert body["sources"], "the passages found are still returned"
        assert time.monotonic() - t0 < 4, "it gave up at its queue deadline, not at the end"

        with httpx.stream(
            "POST", ask, json={"question": on_topic, "stream": True}, timeout=30
        ) as resp:
            assert resp.status_code == 200  # it was admitted to the queue: the stream started
            events = sse(resp.read().decode())
        assert [e for e, _ in events] == ["sources", "error"]
        assert events[1][1]["error"]["code"] == "generator_busy"
        assert events[1][1]["sources"]

        assert first.result().status_code == 200  # the running answer was never disturbed
        assert slow.calls == 1
        assert srv.app.state.pipeline.limiter.admitted == 0


def test_a_full_queue_sheds_before_retrieval(live_app, Fake, error_of, on_topic) -> None:
    slow = Fake(delay_s=3.0)
    with live_app(slow, max_concurrency=1, max_queue=0) as srv, ThreadPoolExecutor(1) as pool:
        first = pool.submit(httpx.post, f"{srv.url}/ask", json={"question": on_topic}, timeout=30)
        _wait_for(lambda: slow.calls == 1)
        spent = _retrievals(srv.url)
        for stream in (False, True):
            resp = httpx.post(
                f"{srv.url}/ask", json={"question": on_topic, "stream": stream}, timeout=30
            )
            error_of(resp, 429, "generator_busy")
            assert int(resp.headers["retry-after"]) > 0
        assert _retrievals(srv.url) == spent  # no question was embedded or searched
        assert first.result().status_code == 200
