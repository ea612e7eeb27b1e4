"""ui/app.py under Streamlit's AppTest, against the fake API on a real socket."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.fake_api import (
    DEFAULT_TOP_K,
    GENERATOR,
    MAX_TOP_K,
    MODEL,
    RETRY_AFTER_S,
    FakeApiServer,
    create_fake_api,
    free_port,
)
from ui.render import NOTE_STYLE

APP = str(Path(__file__).resolve().parents[2] / "ui" / "app.py")
pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def app(fake_api: FakeApiServer, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("NOTESQA_API_URL", fake_api.url)
    monkeypatch.delenv("NOTESQA_API_KEY", raising=False)
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    assert not at.exception
    return at


def _ask(at: AppTest, question: str) -> AppTest:
    at.chat_input[0].set_value(question).run()
    assert not at.exception, at.exception
    return at


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.main.markdown)


def _sidebar(at: AppTest) -> str:
    return _plain("\n".join(m.value for m in at.sidebar.markdown))


def _plain(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _captions(at: AppTest) -> str:
    """Caption text, markdown escapes removed."""
    return _plain("\n".join(c.value for c in at.main.caption))


def _button(at: AppTest, label: str) -> object:
    return next(b for b in at.button if b.label == label)


def test_first_page_shows_examples_and_service_info(app: AppTest) -> None:
    assert "LLM 面试笔记问答" in app.title[0].value
    labels = [b.label for b in app.main.button]
    assert "LoRA 的原理是什么？" in labels
    side = _sidebar(app)
    assert "Ready" in side and GENERATOR in side
    slider = app.sidebar.slider[0]  # the server's default and limit, from GET /info
    assert (slider.value, slider.max) == (DEFAULT_TOP_K, MAX_TOP_K)


def test_without_info_the_server_default_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeApiServer(create_fake_api(with_info=False)) as api:
        monkeypatch.setenv("NOTESQA_API_URL", api.url)
        at = AppTest.from_file(APP, default_timeout=30)
        at.run()
        assert not at.sidebar.slider
        assert "the server's default" in _plain("\n".join(c.value for c in at.sidebar.caption))
        _ask(at, "LoRA 的原理是什么？")
        assert "top_k" not in api.requests[-1]  # not sent: the server applies its own
        assert "LoRA 在原权重旁" in _markdown(at)


def test_bad_setting_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTESQA_CLIENT_READ_TIMEOUT_S", "soon")
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    assert not at.exception
    message = at.error[0].value
    assert "NOTESQA_CLIENT_READ_TIMEOUT_S" in message and "\n" not in message


def test_answer_streams_with_cited_sources(app: AppTest, fake_api: FakeApiServer) -> None:
    _ask(app, "LoRA 的原理是什么？")
    md = _markdown(app)
    assert "LoRA 在原权重旁加入两个低秩矩阵 A 和 B" in md
    assert ":blue-background[\\[1\\]]" in md  # the citation badge
    assert ":orange-background[" in md  # the cited sentence, highlighted in the passage
    assert "参数高效微调 › LoRA 的原理是什么？" in md
    captions = _captions(app)
    assert "003_lora.txt · chars 1200–1530" in captions and "Sources (1)" in captions
    assert MODEL in captions
    assert "可信度 高 (high) · verified sentences 100%" in captions  # how sure it is
    assert app.main.expander[0].label == "Full passage"
    assert fake_api.requests[-1]["stream"] is True
    side = _sidebar(app)
    assert MODEL in side  # the model in use, from the response


def test_follow_up_sends_history_and_top_k(app: AppTest, fake_api: FakeApiServer) -> None:
    _ask(app, "LoRA 的原理是什么？")
    app.sidebar.slider[0].set_value(3)
    _ask(app, "那它的优点呢？")
    sent = fake_api.requests[-1]
    assert sent["top_k"] == 3
    assert [t["role"] for t in sent["history"]] == ["user", "assistant"]
    assert sent["history"][0]["content"] == "LoRA 的原理是什么？"
    assert sent["history"][1]["content"].startswith("LoRA 在原权重旁")
    assert len(app.chat_message) == 4


def test_refusal_looks_different_and_shows_closest_passages(app: AppTest) -> None:
    _ask(app, "明天天气如何？")
    refusal = app.warning[0].value
    assert "The notes don't cover this" in refusal and "资料中没有相关信息。" in refusal
    md = _markdown(app)
    assert "Closest passages found anyway (2)" in _captions(app)
    assert ":blue-background[" not in md


def test_sources_only_mode_uses_search(app: AppTest, fake_api: FakeApiServer) -> None:
    app.sidebar.toggle[0].set_value(True).run()
    _ask(app, "LoRA 低秩矩阵")
    assert fake_api.requests[-1]["path"] == "/search"
    assert "Sources only · 2 passages" in _captions(app)
    assert ":orange-background[" in _markdown(app)  # the query's words, highlighted
    # a passage the notes get wrong shows the editor's note, with its own badge
    assert f":{NOTE_STYLE}[**编者注**] " in _markdown(app)


def test_script_in_answer_and_passage_is_text(app: AppTest) -> None:
    _ask(app, "html 安全吗？")
    md = _markdown(app)
    assert "<script>" not in md  # every tag reaches the page escaped: shown, never run
    assert "\\<script\\>alert\\(\\'pwned\\'\\)\\<\\/script\\>" in md
    assert "\\[link\\]\\(http" in md  # no link either
    app.sidebar.toggle[0].set_value(True).run()
    _ask(app, "危险示例")
    md = _markdown(app)
    assert "<script>" not in md
    assert "\\<script\\>alert\\(\\'xss\\'\\)" in md


def test_clear_button_empties_chat(app: AppTest) -> None:
    _ask(app, "LoRA 的原理是什么？")
    assert len(app.chat_message) == 2
    _button(app, "Clear chat").click().run()  # type: ignore[attr-defined]
    assert len(app.chat_message) == 0
    assert "LoRA 的原理是什么？" in [b.label for b in app.main.button]


def test_example_button_asks(app: AppTest, fake_api: FakeApiServer) -> None:
    _button(app, "LoRA 的原理是什么？").click().run()  # type: ignore[attr-defined]
    assert fake_api.requests[-1]["question"] == "LoRA 的原理是什么？"
    assert "LoRA 在原权重旁" in _markdown(app)
    assert "LoRA 的原理是什么？" not in [b.label for b in app.main.button]


def test_busy_shows_retry_after(app: AppTest) -> None:
    _ask(app, "busy now?")
    assert f"Try again in {RETRY_AFTER_S} s" in app.error[0].value
    assert "Passages found (2)" in _captions(app)


def test_timeout_keeps_sources_and_partial_answer(app: AppTest) -> None:
    _ask(app, "gateway?")
    assert "took too long" in app.error[0].value
    assert "Passages found (2)" in _captions(app)
    _ask(app, "timeout mid stream?")
    assert "took too long" in app.error[1].value
    assert "Partial answer:" in _captions(app)


def test_api_down_is_a_friendly_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTESQA_API_URL", f"http://127.0.0.1:{free_port()}")
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    side = _sidebar(at)
    assert "Can't reach the notes API" in side
    _ask(at, "LoRA？")
    assert "Can't reach the notes API" in _plain(at.error[0].value)
    assert not at.exception
