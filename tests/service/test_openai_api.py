"""/v1/chat/completions and /v1/models, driven by the official `openai` client over a socket."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest

from core.errors import GeneratorUnavailable
from service.generators.extractive import REFUSAL_ZH
from service.openai_api import SOURCES_HEADING, to_ask_request
from service.openai_schemas import MODEL_ID, ChatCompletionRequest

KEY = "s3cret-key"
# what passages [1] and [2] say, so the support check keeps it whole
REPLY = (
    "Prefix LM 和 Causal LM 是两种不同类型的语言模型[1]。"
    "Causal LM 采用 Auto Regressive 模式，根据历史的 token 来预测下一个 token[2]。"
)


def client_for(url: str, key: str = KEY) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{url}/v1", api_key=key, max_retries=0, timeout=30)


@pytest.fixture
def served(live_app, Fake) -> Iterator[tuple[openai.OpenAI, Any, str]]:
    gen = Fake(REPLY, piece=3)
    with live_app(gen, api_key=KEY) as srv:
        yield client_for(srv.url), gen, srv.url


def user(text: str) -> list[Any]:
    return [{"role": "user", "content": text}]


def test_models_lists_one_model(served) -> None:
    client, _, _ = served
    assert [m.id for m in client.models.list()] == [MODEL_ID]
    assert client.models.retrieve(MODEL_ID).id == MODEL_ID
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("gpt-4o")


def test_plain_completion_cites_in_text_and_field(served, on_topic) -> None:
    client, gen, _ = served
    done = client.chat.completions.create(model=MODEL_ID, messages=user(on_topic))
    text = done.choices[0].message.content or ""
    assert done.object == "chat.completion" and done.choices[0].finish_reason == "stop"
    assert text.startswith(REPLY)
    citations = done.citations  # type: ignore[attr-defined]
    assert [c["n"] for c in citations] == [1, 2]
    assert f"\n\n{SOURCES_HEADING}\n[1] {citations[0]['file']}" in text
    assert " › ".join([citations[1]["file"], *citations[1]["heading_path"]]) in text
    assert done.refused is False  # type: ignore[attr-defined]
    assert gen.calls == 1


def test_streaming_reassembles_text_sources_and_citations(served, on_topic) -> None:
    client, gen, _ = served
    stream = client.chat.completions.create(model=MODEL_ID, messages=user(on_topic), stream=True)
    chunks = list(stream)
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text.startswith(REPLY)
    assert f"\n\n{SOURCES_HEADING}\n[1] " in text and "\n[2] " in text
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop" and not last.choices[0].delta.content
    assert [c["n"] for c in last.citations] == [1, 2]  # type: ignore[attr-defined]
    assert all(c.id == chunks[0].id for c in chunks)
    # role, the checked answer (never the unchecked draft), sources, stop; generator closed
    assert len(chunks) == 4 and gen.closed and gen.finished


@pytest.mark.parametrize("stream", [False, True])
def test_off_topic_question_is_refused(served, off_topic, stream: bool) -> None:
    client, gen, _ = served
    if stream:
        chunks = list(
            client.chat.completions.create(model=MODEL_ID, messages=user(off_topic), stream=True)
        )
        text = "".join(c.choices[0].delta.content or "" for c in chunks)
        refused, citations = chunks[-1].refused, chunks[-1].citations  # type: ignore[attr-defined]
    else:
        done = client.chat.completions.create(model=MODEL_ID, messages=user(off_topic))
        text = done.choices[0].message.content or ""
        refused, citations = done.refused, done.citations  # type: ignore[attr-defined]
    assert text == REFUSAL_ZH and refused is True and citations == []
    assert SOURCES_HEADING not in text
    assert gen.calls == 0  # the gate refused: the model was never asked


def test_wrong_key_is_an_authentication_error(served, on_topic) -> None:
    _, gen, url = served
    with pytest.raises(openai.AuthenticationError) as info:
        client_for(url, "wrong").chat.completions.create(model=MODEL_ID, messages=user(on_topic))
    assert info.value.status_code == 401
    assert info.value.code == "invalid_api_key" and info.value.type == "authentication_error"
    with pytest.raises(openai.AuthenticationError):
        client_for(url, "wrong").models.list()
    assert gen.calls == 0


def test_bad_requests_are_400_in_openai_shape(served) -> None:
    client, _, url = served
    with pytest.raises(openai.BadRequestError) as info:
        client.chat.completions.create(model=MODEL_ID, messages=[])
    assert info.value.status_code == 400 and info.value.type == "invalid_request_error"
    assert "messages" in info.value.message
    with pytest.raises(openai.BadRequestError, match="last message"):
        client.chat.completions.create(
            model=MODEL_ID, messages=[{"role": "assistant", "content": "hi"}]
        )
    with pytest.raises(openai.BadRequestError, match="empty"):
        client.chat.completions.create(model=MODEL_ID, messages=user("   "))
    raw = httpx.post(f"{url}/v1/chat/completions", content=b"{not json", headers=auth())
    assert raw.status_code == 400
    assert set(raw.json()["error"]) == {"message", "type", "param", "code"}
    missing = httpx.get(f"{url}/v1/nope", headers=auth())
    assert missing.status_code == 404 and missing.json()["error"]["type"] == "not_found_error"
    # the rest of the API keeps its own error schema
    own = httpx.post(f"{url}/ask", json={"question": ""}, headers=auth())
    assert own.status_code == 422 and set(own.json()["error"]) == {"code", "message", "request_id"}


def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {KEY}"}


def test_generator_failure_is_a_server_error_with_sources(live_app, Fake, on_topic) -> None:
    gen = Fake(error=GeneratorUnavailable("llama server down"))
    with live_app(gen) as srv:
        client = client_for(srv.url)
        with pytest.raises(openai.InternalServerError) as info:
            client.chat.completions.create(model=MODEL_ID, messages=user(on_topic))
        assert info.value.status_code == 503 and info.value.type == "server_error"
        assert info.value.code == "generator_unavailable"
        body = info.value.response.json()
        assert body["sources"] and body["sources"][0]["n"] == 1
        with pytest.raises(openai.APIError, match="llama server down"):
            list(
                client.chat.completions.create(model=MODEL_ID, messages=user(on_topic), stream=True)
            )


def test_history_becomes_the_ask_history() -> None:
    body = ChatCompletionRequest.model_validate(
        {
            "model": "anything",
            "messages": [
                {"role": "system", "content": "You are helpful."},
                {"role": "user", "content": [{"type": "text", "text": "LoRA 是什么？"}]},
                {
                    "role": "assistant",
                    "content": f"一种微调方法[1]。\n\n{SOURCES_HEADING}\n[1] a.md",
                },
                {"role": "user", "content": "那它的缺点呢？"},
            ],
            "temperature": 0.3,
            "stream_options": {"include_usage": True},
        }
    )
    ask = to_ask_request(body)
    assert ask.question == "那它的缺点呢？"
    assert [(t.role, t.content) for t in ask.history] == [
        ("user", "LoRA 是什么？"),
        ("assistant", "一种微调方法[1]。"),
    ]
