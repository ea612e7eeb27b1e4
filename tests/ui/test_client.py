"""ui/client.py against the fake API on a real socket: SSE parsing and error mapping."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from contract.sse import parse_sse
from core.settings import Settings
from tests.ui.fake_api import MODEL, REFUSAL, RETRY_AFTER_S, FakeApiServer, free_port
from ui.client import (
    ApiError,
    ClientSettings,
    DoneEvent,
    Event,
    NotesQAClient,
    SourcesEvent,
    TokenEvent,
    error_from_body,
)

pytestmark = pytest.mark.timeout(60)


def _client(server: FakeApiServer, key: str | None = None) -> NotesQAClient:
    settings = Settings(api_url=server.url, api_key=key, client_read_timeout_s=10)
    return NotesQAClient(ClientSettings.from_settings(settings))


def _collect(client: NotesQAClient, question: str, **kw: object) -> list[Event]:
    return list(client.ask_stream(question, **kw))  # type: ignore[arg-type]


def test_parse_sse_frames_comments_multiline_and_crlf() -> None:
    lines = [
        ": keep-alive",
        "",
        "event: token",
        'data: {"text": "a"}',
        "",
        "id: 7\r\n",
        "data: line one",
        "data:line two",
        "",
        "event: done",
        "data: {}",
    ]
    assert list(parse_sse(lines)) == [
        ("token", '{"text": "a"}'),
        ("message", "line one\nline two"),
        ("done", "{}"),
    ]


def test_settings_come_from_the_one_settings_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NOTESQA_API_URL", "NOTESQA_API_KEY", "NOTESQA_CLIENT_READ_TIMEOUT_S"):
        monkeypatch.delenv(name, raising=False)
    s = ClientSettings.from_settings()
    assert (s.api_url, s.api_key) == ("http://127.0.0.1:8000", None)  # where `make run` serves
    assert s.read_timeout_s == Settings().llm_timeout_s  # never shorter than the server's limit
    monkeypatch.setenv("NOTESQA_API_URL", "http://h:9/ ")
    monkeypatch.setenv("NOTESQA_API_KEY", "k")
    s = ClientSettings.from_settings()
    assert (s.api_url, s.api_key) == ("http://h:9", "k")
    monkeypatch.setenv("NOTESQA_API_KEY", "  ")
    assert ClientSettings.from_settings().api_key is None
    monkeypatch.setenv("NOTESQA_CLIENT_READ_TIMEOUT_S", "-1")
    with pytest.raises(ValidationError, match="client_read_timeout_s"):
        ClientSettings.from_settings()


def test_stream_yields_sources_tokens_done_and_sends_history(fake_api: FakeApiServer) -> None:
    history = [{"role": "user", "content": "LoRA？"}, {"role": "assistant", "content": "是[1]。"}]
    events = _collect(_client(fake_api), "那它的优点呢？", history=history, top_k=3)
    assert isinstance(events[0], SourcesEvent)
    assert [s.n for s in events[0].sources] == [1, 2]
    tokens = [e.text for e in events if isinstance(e, TokenEvent)]
    assert len(tokens) == 5
    done = events[-1]
    assert isinstance(done, DoneEvent)
    assert done.response.answer == "".join(tokens)
    assert done.response.model == MODEL
    assert [c.n for c in done.response.citations] == [1]
    sent = fake_api.requests[-1]
    assert sent["history"] == history
    assert (sent["top_k"], sent["stream"]) == (3, True)


def test_refusal_stream(fake_api: FakeApiServer) -> None:
    done = _collect(_client(fake_api), "明天天气如何？")[-1]
    assert isinstance(done, DoneEvent)
    assert done.response.refused and done.response.answer == REFUSAL
    assert done.response.sources and not done.response.citations


def test_429_carries_retry_after_and_sources(fake_api: FakeApiServer) -> None:
    with pytest.raises(ApiError) as info:
        _collect(_client(fake_api), "busy?")
    err = info.value
    assert (err.status, err.code, err.retry_after_s) == (429, "generator_busy", RETRY_AFTER_S)
    assert f"Try again in {RETRY_AFTER_S} s" in err.message
    assert len(err.sources) == 2


def test_http_504_keeps_sources(fake_api: FakeApiServer) -> None:
    with pytest.raises(ApiError) as info:
        _collect(_client(fake_api), "gateway?")
    assert info.value.status == 504
    assert "took too long" in info.value.message
    assert "shown below" in info.value.message
    assert [s.n for s in info.value.sources] == [1, 2]


def test_error_event_mid_stream(fake_api: FakeApiServer) -> None:
    seen: list[Event] = []
    with pytest.raises(ApiError) as info:
        for ev in _client(fake_api).ask_stream("timeout?"):
            seen.append(ev)
    assert info.value.code == "generator_timeout"
    assert isinstance(seen[0], SourcesEvent)
    assert sum(isinstance(e, TokenEvent) for e in seen) == 2


def test_stream_cut_before_done(fake_api: FakeApiServer) -> None:
    with pytest.raises(ApiError, match="cut off") as info:
        _collect(_client(fake_api), "cut?")
    assert info.value.code == "incomplete"


def test_non_json_500(fake_api: FakeApiServer) -> None:
    with pytest.raises(ApiError) as info:
        _collect(_client(fake_api), "crash?")
    assert info.value.status == 500
    assert "Traceback" not in info.value.message


def test_connection_refused_is_friendly() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    settings = Settings(api_url=url, client_connect_timeout_s=2)
    client = NotesQAClient(ClientSettings.from_settings(settings))
    for call in (
        lambda: list(client.ask_stream("q")),
        lambda: client.search("q"),
        client.readiness,
    ):
        with pytest.raises(ApiError) as info:
            call()
        assert info.value.code == "api_unreachable"
        assert url in info.value.message and "make run" in info.value.message


def test_search_and_readiness(fake_api: FakeApiServer) -> None:
    client = _client(fake_api)
    result = client.search("LoRA", 1)
    assert [h.n for h in result.hits] == [1]
    assert fake_api.requests[-1] == {"path": "/search", "q": "LoRA", "k": 1}
    ready = client.readiness()
    assert ready.ready and ready.generator == "fake-vllm"
    with pytest.raises(ApiError) as info:
        client.search("busy")
    assert info.value.retry_after_s == RETRY_AFTER_S


def test_bearer_key(fake_api_with_key: FakeApiServer) -> None:
    with pytest.raises(ApiError) as info:
        _client(fake_api_with_key).readiness()
    assert info.value.status == 401 and "NOTESQA_API_KEY" in info.value.message
    assert _client(fake_api_with_key, key="s3cret").readiness().ready
    assert isinstance(_collect(_client(fake_api_with_key, key="s3cret"), "q")[-1], DoneEvent)


@pytest.mark.parametrize(
    ("status", "code", "needle"),
    [
        (422, "bad_input", "did not accept the question: bad"),
        (503, "index_not_ready", "not ready yet (bad)"),
        (None, "generator_unavailable", "not ready yet"),
        (500, "internal_error", "request id rid"),
    ],
)
def test_error_messages(status: int | None, code: str, needle: str) -> None:
    body = {"error": {"code": code, "message": "bad", "request_id": "rid"}}
    err = error_from_body(status, body)
    assert needle in err.message and err.code == code


def test_429_without_retry_after() -> None:
    err = error_from_body(429, None)
    assert "in a few seconds" in err.message and err.retry_after_s is None
