"""The practice client and the 练习 page (AppTest) against the fake API on a real socket."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from core.settings import Settings
from tests.ui.fake_api import FakeApiServer, create_fake_api
from ui.client import ApiError, ClientSettings
from ui.practice_client import PracticeClient
from ui.practice_page import due_label, topic_labels
from ui.render import HIGHLIGHT, NOTE_STYLE

PAGE = """
from ui.practice_page import practice_page
practice_page()
"""
pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeApiServer]:
    with FakeApiServer(create_fake_api()) as server:
        monkeypatch.setenv("NOTESQA_API_URL", server.url)
        monkeypatch.delenv("NOTESQA_API_KEY", raising=False)
        yield server


def _plain(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _markdown(at: AppTest) -> str:
    return _plain("\n".join(m.value for m in at.main.markdown))


def _button(at: AppTest, label: str):  # type: ignore[no-untyped-def]
    return next(b for b in at.button if b.label == label)


def test_client_round_trip(api: FakeApiServer) -> None:
    client = PracticeClient(ClientSettings.from_settings())
    tree = client.topics()
    assert tree.total == 3
    assert [t.name for t in tree.topics] == ["大语言模型基础", "参数高效微调"]
    assert tree.topics[0].children[0].path == ["大语言模型基础", "LLMs复读机问题"]
    q = client.question("u1", "大语言模型基础 / LLMs复读机问题")
    assert q.question_id == "q-repeat" and not q.seen
    g = client.grade(q.question_id, "数据偏差；温度越低随机性越大。", "u1")
    assert g.score == 0.25 and [p.covered for p in g.points] == [True, False, False, False]
    assert g.contradictions[0].sentence == "温度越低随机性越大"
    prog = client.progress("u1")
    seen = {t.topic: t.seen for t in prog.topics}
    assert prog.seen == 1 and seen["大语言模型基础 / LLMs复读机问题"] == 1
    assert client.question("u1", "大语言模型基础 / LLMs复读机问题").seen
    with pytest.raises(ApiError, match="no topic") as missing:
        client.question("u1", "没有这个主题")
    assert missing.value.status == 404


def test_client_says_when_the_api_is_down() -> None:
    client = PracticeClient(ClientSettings.from_settings(Settings(api_url="http://127.0.0.1:9")))
    with pytest.raises(ApiError, match="Can't reach"):
        client.topics()


def test_page_question_answer_points_and_progress(api: FakeApiServer) -> None:
    at = AppTest.from_string(PAGE, default_timeout=30).run()
    assert not at.exception, at.exception
    assert at.text_input(key="practice_user").value == "learner"
    picker = at.selectbox(key="practice_topic")
    assert picker.options[0].startswith("全部主题（3 题）")
    assert "还没有练习记录" in at.info[0].value

    picker.set_value("大语言模型基础 / LLMs复读机问题").run()
    _button(at, "抽一道题").click().run()
    assert not at.exception, at.exception
    assert "为什么会出现 LLMs 复读机问题？" in _markdown(at)
    assert api.requests[-1] == {
        "path": "/practice/question",
        "user": "learner",
        "topic": "大语言模型基础 / LLMs复读机问题",
    }

    at.text_area(key="practice_answer_q-repeat").set_value(
        "一是数据偏差，二是训练目标的限制。温度越低随机性越大。"
    ).run()
    _button(at, "提交评分").click().run()
    assert not at.exception, at.exception
    assert at.metric[0].value == "50 分"
    assert "下次复习：2030-01-02 00:00 UTC（1 天后）" in _markdown(at)
    shown = _markdown(at)
    assert ":green[:material/check: 已答到] **1.** 数据偏差" in shown
    assert ":red[:material/close: 漏掉] **3.** 缺乏多样性的训练数据" in shown
    assert "温度越低随机性越大" in _plain(at.warning[0].value)
    # the notes' answer, its missed points highlighted, with its source
    raw = "\n".join(m.value for m in at.main.markdown)
    assert f":{HIGHLIGHT}[缺乏多样性的训练数据" in raw
    assert f":{HIGHLIGHT}[数据偏差" not in raw  # covered: not highlighted
    # what the notes get wrong there, as the editor's note under the reference
    assert f":{NOTE_STYLE}[**编者注**] 笔记另一处把温度说反了" in raw
    captions = _plain("\n".join(c.value for c in at.main.caption))
    assert "000_fake.txt · 大语言模型基础 › LLMs复读机问题" in captions
    assert "标亮的是你漏掉的要点" in captions
    # progress: the chart's data and the totals
    assert [m.value for m in at.metric][1:] == ["1", "0"]
    charts = at.get("vega_lite_chart")
    assert len(charts) == 2
    score_spec = json.loads(charts[0].proto.spec)
    assert score_spec["encoding"]["x"]["title"] == "平均分"  # bars run along the score axis
    data = pa.ipc.open_stream(charts[0].proto.datasets[0].data.data).read_pandas()
    assert data.to_dict("records") == [
        {"index -- streamlit-generated": "LLMs复读机问题", "平均分": 0.5}  # seen topics only
    ]
    assert json.loads(charts[1].proto.spec)["encoding"]["x"]["title"] == "题数"


def test_page_next_question_and_user_change(api: FakeApiServer) -> None:
    at = AppTest.from_string(PAGE, default_timeout=30).run()
    _button(at, "抽一道题").click().run()
    at.text_area(key="practice_answer_q-repeat").set_value("数据偏差").run()
    _button(at, "提交评分").click().run()
    _button(at, "下一题").click().run()
    assert not at.exception, at.exception
    assert "为何现在的大模型大部分是Decoder only结构" in _markdown(at)
    assert not at.metric or at.metric[0].label != "得分"  # the old grade is gone
    at.text_input(key="practice_user").set_value("someone-else").run()
    assert "还没有练习记录" in at.info[0].value  # progress is per user


def test_page_with_the_api_down(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTESQA_API_URL", "http://127.0.0.1:9")
    at = AppTest.from_string(PAGE, default_timeout=30).run()
    assert not at.exception, at.exception
    assert "Can't reach" in _plain(at.error[0].value)
    assert not [b for b in at.button if b.label == "抽一道题"]


RELATED = """
import streamlit as st
from ui.related import show_related

def ask(q):
    st.session_state["asked"] = q

msg = {"request_id": "r1", "related": [
    {"question_id": "a", "question": "如何缓解 LLMs 复读机问题？", "topic": ["基础", "复读机"]},
    {"question_id": "b", "question": "**粗体**问题？", "topic": []},
]}
show_related(msg, ask)
show_related({"request_id": "r2"}, ask)  # an older service: no `related`, nothing drawn
"""


def test_related_questions_are_buttons_that_ask_them() -> None:
    at = AppTest.from_string(RELATED, default_timeout=30).run()
    assert not at.exception, at.exception
    assert [_plain(b.label) for b in at.button] == ["如何缓解 LLMs 复读机问题？", "**粗体**问题？"]
    assert at.button[1].label != "**粗体**问题？"  # escaped: shown as typed, not as bold
    at.button[0].click().run()
    assert at.session_state["asked"] == "如何缓解 LLMs 复读机问题？"


def test_chart_labels_are_topic_names_unless_two_share_one() -> None:
    assert topic_labels(["基础 / 复读机", "微调 / LoRA"]) == ["复读机", "LoRA"]
    assert topic_labels(["000 / 总结", "004 / 总结", "微调"]) == [
        "000 / 总结",
        "004 / 总结",
        "微调",
    ]


def test_due_dates_read_as_utc() -> None:
    assert due_label("2026-12-05T08:13:24+08:00") == "2026-12-05 00:13 UTC"
    assert due_label("soon") == "soon"


def test_chat_answer_offers_related_questions_that_ask_on_click(api: FakeApiServer) -> None:
    app = str(Path(__file__).resolve().parents[2] / "ui" / "app.py")
    at = AppTest.from_file(app, default_timeout=30).run()
    at.chat_input[0].set_value("LoRA 的原理是什么？").run()
    assert not at.exception, at.exception
    labels = [_plain(b.label) for b in at.main.button]
    assert labels == ["为什么会出现 LLMs 复读机问题？", "为何现在的大模型大部分是Decoder only结构"]
    _button(at, "为何现在的大模型大部分是Decoder only结构").click().run()
    assert not at.exception, at.exception  # two answers, same related questions: no key clash
    asked = [r["question"] for r in api.requests if r["path"] == "/ask"]
    assert asked == ["LoRA 的原理是什么？", "为何现在的大模型大部分是Decoder only结构"]
    assert (
        len([b for b in at.main.button if _plain(b.label) == "为什么会出现 LLMs 复读机问题？"]) == 2
    )
