"""The 练习 page: pick a topic, get a question from the notes, answer it, see each key point of
the notes' answer covered or missed, the notes' answer with the missed points highlighted, and
progress per topic.

A client of /topics and /practice/*. Everything the notes or the learner wrote is escaped
(ui/render.py) before it is shown: an answer can't become markup.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import streamlit as st

from contract.practice import (
    MAX_ANSWER_CHARS,
    MAX_USER_CHARS,
    GradeResponse,
    PracticeQuestion,
    TopicNode,
)
from ui import render
from ui.client import ApiError
from ui.practice_client import PracticeClient

DEFAULT_USER = "learner"  # one stable id per browser session; a person may type their own
ALL_TOPICS = ""  # the selectbox value for "every topic"
TOPIC_SEP = " / "  # how the API joins a topic path in ?topic=
ANSWER_ROWS_PX = 180


def _state() -> Any:
    ss = st.session_state
    ss.setdefault("practice_user", DEFAULT_USER)
    ss.setdefault("practice_q", None)  # the question on screen (a dict, as the API sent it)
    ss.setdefault("practice_grade", None)  # its grade, once submitted
    return ss


def _walk(nodes: Sequence[TopicNode], depth: int = 0) -> Iterator[tuple[TopicNode, int]]:
    for node in nodes:
        yield node, depth
        yield from _walk(node.children, depth + 1)


def source_label(source: Any) -> str:
    """file · heading › path · chars a–b, for a point's or the answer's citation."""
    return (
        f"{source.file} · {render.heading_label(source.heading_path)}"
        f" · chars {source.start}–{source.end}"
    )


def _next_question(client: PracticeClient, user: str, topic: str) -> None:
    ss = st.session_state
    try:
        q = client.question(user, topic or None)
    except ApiError as err:
        st.error(render.escape_md(err.message), icon=":material/error:")
        return
    ss["practice_q"] = q.model_dump()
    ss["practice_grade"] = None


def topic_picker(client: PracticeClient) -> str | None:
    """The topic chosen ("" for all), or None when the topics can't be listed."""
    try:
        tree = client.topics()
    except ApiError as err:
        st.error(render.escape_md(err.message), icon=":material/cloud_off:")
        return None
    labels = {ALL_TOPICS: f"全部主题（{tree.total} 题）"}
    for node, depth in _walk(tree.topics):
        labels[TOPIC_SEP.join(node.path)] = f"{'　' * depth}{node.name}（{node.count}）"
    if st.session_state.get("practice_topic") not in labels:
        st.session_state["practice_topic"] = ALL_TOPICS  # a topic gone with a new index
    return str(
        st.selectbox("主题", list(labels), format_func=labels.__getitem__, key="practice_topic")
    )


def show_question(q: PracticeQuestion) -> None:
    state = "待复习" if q.due else ("练过" if q.seen else "新题")
    with st.container(border=True):
        st.caption(
            render.escape_md(f"{render.heading_label(q.topic)} · {state}"),
        )
        st.markdown(f"#### {render.escape_md(q.question)}")


def show_grade(g: GradeResponse) -> None:
    covered = sum(p.covered for p in g.points)
    left, right = st.columns([1, 3], vertical_alignment="center")
    left.metric("得分", f"{round(g.score * 100)} 分")
    right.markdown(
        render.escape_md(f"覆盖了 {covered}/{len(g.points)} 个要点。")
        + render.escape_md(f"下次复习：{due_label(g.next_due)}（{g.interval_days:g} 天后）")
    )
    st.markdown("**要点**")
    for p in g.points:
        mark = ":green[:material/check: 已答到]" if p.covered else ":red[:material/close: 漏掉]"
        st.markdown(f"{mark} **{p.n}.** {render.escape_md(p.text)}")
        st.caption(render.escape_md(source_label(p.source)))
    for c in g.contradictions:
        st.warning(
            render.escape_md(f"「{c.sentence}」与笔记第 {c.point} 条不符：{c.reason}"),
            icon=":material/report:",
        )
    missed = [p.text for p in g.points if not p.covered]
    # the notes' bold labels ("- 1) **数据偏差：**…") would show as literal asterisks, and the
    # points, quoted without them, would not be found in the text
    text = g.reference.text.replace("**", "")
    spans = [s for p in missed if (s := _span(text, p))] or render.highlight_spans(text, missed)
    with st.container(border=True):
        st.markdown("**笔记的答案**")
        st.caption(render.escape_md(source_label(g.reference.source)))
        st.markdown(render.highlight_markdown(text, spans))
        for note in g.reference.errata:  # what the notes get wrong here, left out above
            st.markdown(render.editor_note(note))
        if missed:
            st.caption("标亮的是你漏掉的要点。")


def due_label(iso: str) -> str:
    """ "2026-12-05 00:13 UTC" from the API's ISO 8601; the text as sent if it isn't one."""
    try:
        when = datetime.fromisoformat(iso).astimezone(UTC)
    except ValueError:
        return iso
    return when.strftime("%Y-%m-%d %H:%M UTC")


def _span(text: str, point: str) -> tuple[int, int] | None:
    """Where a point stands in the notes' answer, verbatim."""
    at = text.find(point.strip())
    return (at, at + len(point.strip())) if at >= 0 and point.strip() else None


def topic_labels(topics: Sequence[str]) -> list[str]:
    """Chart labels: a topic's own name (its path's last part), or the whole path where two
    topics share a name (one bar each, not one merged bar)."""
    last = [t.split(TOPIC_SEP)[-1] for t in topics]
    return [
        name if last.count(name) == 1 else full for name, full in zip(last, topics, strict=True)
    ]


def progress_chart(client: PracticeClient, user: str) -> None:
    st.subheader(":material/bar_chart: 进度")
    try:
        prog = client.progress(user)
    except ApiError as err:
        st.error(render.escape_md(err.message), icon=":material/error:")
        return
    rows = [t for t in prog.topics if t.seen]  # the API lists every topic, seen or not
    if not rows:
        st.info("还没有练习记录：答完一题，这里会按主题显示平均分和练过的题数。")
        return
    a, b = st.columns(2)
    a.metric("练过的题", prog.seen)
    b.metric("待复习", prog.due)
    names = topic_labels([t.topic for t in rows])
    scores = pd.DataFrame({"平均分": [t.mean_score for t in rows]}, index=names)
    seen = pd.DataFrame(
        {"练过": [t.seen for t in rows], "待复习": [t.due for t in rows]}, index=names
    )
    left, right = st.columns(2)
    with left:
        st.caption("各主题平均分（0–1）")
        st.bar_chart(scores, horizontal=True, x_label="", y_label="平均分")
    with right:
        st.caption("各主题练过 / 待复习的题数")
        st.bar_chart(seen, horizontal=True, stack=True, x_label="", y_label="题数")


def practice_page(client: PracticeClient | None = None) -> None:
    client = client or PracticeClient()
    ss = _state()
    st.title(":material/school: 练习")
    st.caption("从笔记里的面试题抽题作答，逐条对照笔记的要点评分；答过的题按间隔重复安排复习。")
    user = str(
        st.text_input(
            "用户名", key="practice_user", max_chars=MAX_USER_CHARS, help="进度按用户名保存。"
        )
    ).strip()
    topic = topic_picker(client)
    if topic is None:
        return
    if not user:
        st.warning("先填一个用户名：进度记在它名下。")
        return
    if st.button("抽一道题", icon=":material/shuffle:", type="primary"):
        _next_question(client, user, topic)
    if ss["practice_q"]:
        q = PracticeQuestion.model_validate(ss["practice_q"])
        show_question(q)
        answer = st.text_area(
            "你的回答",
            key=f"practice_answer_{q.question_id}",
            height=ANSWER_ROWS_PX,
            max_chars=MAX_ANSWER_CHARS,  # the API's own limit: a longer answer would be a 422
            placeholder="用中文或英文写下你的回答，写完点「提交评分」。",
        )
        go, nxt = st.columns(2)
        if go.button("提交评分", icon=":material/grading:", width="stretch"):
            try:
                with st.spinner("正在对照笔记评分…"):
                    ss["practice_grade"] = client.grade(q.question_id, answer, user).model_dump()
            except ApiError as err:
                st.error(render.escape_md(err.message), icon=":material/error:")
        if nxt.button("下一题", icon=":material/skip_next:", width="stretch"):
            _next_question(client, user, topic)
            st.rerun()
        graded = ss["practice_grade"]
        if graded and graded["question_id"] == q.question_id:
            show_grade(GradeResponse.model_validate(graded))
    st.divider()
    progress_chart(client, user)
