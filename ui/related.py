"""Follow-up questions after an answer: the `related` entries of /ask (questions of the notes'
own practice bank, so the notes can answer them), each a button that asks it in the chat.

Rendered only when the response has them: an older service sends none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

from ui import render


def show_related(msg: Mapping[str, Any], ask: Callable[[str], None]) -> None:
    related = msg.get("related") or []
    if not related:
        return
    st.caption(":material/quiz: 笔记里的相关问题")
    for i, q in enumerate(related):
        question = str(q.get("question", ""))
        st.button(
            render.escape_md(question),
            # the message dict lives in session state across reruns: its id is a stable key,
            # and unique even when two answers carry the same request id or questions
            key=f"related_{id(msg)}_{i}",
            on_click=ask,
            args=(question,),
            icon=":material/arrow_forward:",
            help=render.escape_md(" / ".join(q.get("topic", []))) or None,
        )
