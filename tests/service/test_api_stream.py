"""Server-Sent Events: sources → token… → done (or error), and a client leaving stops generation."""

from __future__ import annotations

import json
from typing import Any

import anyio

from core.errors import GeneratorTimeout


def test_event_order_and_validated_citations(app_factory, Fake, sse, on_topic) -> None:
    reply = "Prefix LM 和 Causal LM 是两种不同类型的语言模型[1]。它们的区别在于生成文本的方式[9]。"
    with app_factory(Fake(reply, piece=3)) as (client, gen):
        resp = client.post("/ask", json={"question": on_topic, "stream": True})
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/event-stream")
        assert resp.headers["x-index-version"] and resp.headers["x-request-id"]
        events = sse(resp.text)
        names = [e for e, _ in events]
        assert names[0] == "sources" and names[-1] == "done"
        assert set(names[1:-1]) == {"token"} and len(names) > 4
        sources = events[0][1]["sources"]
        assert sources and sources[0]["n"] == 1
        streamed = "".join(d["text"] for e, d in events if e == "token")
        done = events[-1][1]
        # the stream shows the draft, unknown markers filtered on the fly; `done` carries the
        # checked answer: the sentence whose only citation pointed nowhere was removed
        assert "[9]" not in streamed and "[1]" in streamed
        assert done["answer"] == "Prefix LM 和 Causal LM 是两种不同类型的语言模型[1]。"
        assert [r["reason"] for r in done["removed"]] == ["uncited"]
        assert [c["n"] for c in done["citations"]] == [1]
        assert done["refused"] is False and set(done["timings_ms"]) == {
            "retrieve",
            "generate",
            "total",
        }
        assert done["request_id"] == resp.headers["x-request-id"]
        assert gen.closed and gen.finished


def test_gate_refusal_streams_sources_then_refusal(app_factory, Fake, sse, off_topic) -> None:
    with app_factory(Fake()) as (client, gen):
        events = sse(client.post("/ask", json={"question": off_topic, "stream": True}).text)
        assert [e for e, _ in events] == ["sources", "token", "done"]
        assert events[0][1]["sources"]  # the closest passages
        assert events[-1][1]["refused"] is True and events[-1][1]["citations"] == []
        assert gen.calls == 0


def test_model_refusal_in_stream(app_factory, Fake, sse, on_topic) -> None:
    with app_factory(Fake("资料中没有相关信息。")) as (client, _):
        events = sse(client.post("/ask", json={"question": on_topic, "stream": True}).text)
        done = events[-1][1]
        assert events[-1][0] == "done" and done["refused"] is True
        assert done["refusal_reason"] == "model" and done["citations"] == []


def test_error_mid_stream_is_an_error_event(app_factory, Fake, sse, on_topic) -> None:
    gen = Fake(
        "一二三四五六七八九十" * 3, piece=2, error=GeneratorTimeout("too slow"), fail_after=2
    )
    with app_factory(gen) as (client, gen):
        resp = client.post("/ask", json={"question": on_topic, "stream": True})
        events = sse(resp.text)
        assert [e for e, _ in events] == ["sources", "token", "token", "error"]
        err = events[-1][1]["error"]
        assert err["code"] == "generator_timeout"
        assert err["request_id"] == resp.headers["x-request-id"]
        assert gen.closed
        assert (
            'notesqa_generator_errors_total{code="generator_timeout"} 1.0'
            in client.get("/metrics").text
        )
        assert client.app.state.pipeline.limiter.admitted == 0


def test_client_disconnect_closes_the_generation(app_factory, Fake, on_topic) -> None:
    """Drive the ASGI app directly: the client leaves after the first token."""
    gen = Fake("很长的回答。" * 50, piece=2, delay_s=0.01)
    with app_factory(gen) as (client, gen):
        app = client.app
        sent: list[dict[str, Any]] = []

        async def drive() -> None:
            gone = anyio.Event()
            body = json.dumps({"question": on_topic, "stream": True}).encode()
            inbox = [{"type": "http.request", "body": body, "more_body": False}]

            async def receive() -> dict[str, Any]:
                if inbox:
                    return inbox.pop()
                await gone.wait()
                return {"type": "http.disconnect"}

            async def send(message: dict[str, Any]) -> None:
                sent.append(message)
                if b"event: token" in message.get("body", b""):
                    gone.set()

            scope = {
                "type": "http",
                "asgi": {"version": "3.0", "spec_version": "2.3"},
                "http_version": "1.1",
                "method": "POST",
                "scheme": "http",
                "path": "/ask",
                "raw_path": b"/ask",
                "query_string": b"",
                "root_path": "",
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
                "client": ("127.0.0.1", 1234),
                "server": ("testserver", 80),
            }
            with anyio.fail_after(10):
                await app(scope, receive, send)

        client.portal.call(drive)
        assert sent[0]["status"] == 200
        assert gen.closed is True and gen.finished is False
        assert gen.yielded < 20  # of 150 pieces
        assert app.state.pipeline.limiter.admitted == 0  # its queue place was given back
