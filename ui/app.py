"""The chat page: `streamlit run ui/app.py` (NOTESQA_API_URL, NOTESQA_API_KEY).

A client of the HTTP API. All text from the model or the notes is escaped (ui/render.py) and
shown with st.markdown without unsafe_allow_html: nothing it says can become HTML.
"""

from __future__ import annotations

import logging
from typing import Any

# The packages come from the installed project (`pip install -e .`, as `make run` does; the
# image installs it too), so `streamlit run ui/app.py` needs no sys.path edit.
import streamlit as st
from pydantic import ValidationError

from contract.ask import MAX_HISTORY_TURNS, MAX_TURN_CHARS, Source
from core.settings import settings_error
from ui import render, service_panel
from ui.client import ApiError, DoneEvent, NotesQAClient, SourcesEvent, TokenEvent
from ui.documents_page import documents_page
from ui.practice_page import practice_page
from ui.related import show_related

log = logging.getLogger("ui")
EXAMPLES = ("LoRA 的原理是什么？", "prefix LM 和 causal LM 的区别是什么？", "为什么要用 RMSNorm？")
Msg = dict[str, Any]


def _state() -> Any:
    ss = st.session_state
    ss.setdefault("messages", [])
    ss.setdefault("pending", None)
    ss.setdefault("model", None)
    return ss


def _clear_chat() -> None:
    st.session_state["messages"] = []
    st.session_state["pending"] = None


def _ask_example(question: str) -> None:
    st.session_state["pending"] = question


def sidebar(client: NotesQAClient) -> tuple[int | None, bool]:
    """(top_k, sources only). The slider starts at the server's own default and stops at its
    limit (GET /info); without /info the server's default is used (top_k None, not sent)."""
    info = service_panel.server_info(client)
    with st.sidebar:
        st.header(":material/tune: Settings")
        top_k: int | None = None
        if info is not None:
            top_k = st.slider(
                "Passages to retrieve (top_k)",
                1,
                info.max_top_k,
                info.default_top_k,
                key="top_k",
            )
        else:
            st.caption("Passages to retrieve: the server's default.")
        sources_only = st.toggle(
            "Sources only",
            key="sources_only",
            help="Search the notes without generating an answer (GET /search).",
        )
        st.button(
            "Clear chat", icon=":material/delete_sweep:", on_click=_clear_chat, width="stretch"
        )
    return (None if top_k is None else int(top_k)), bool(sources_only)


def show_source(src: Source, claims: list[str], label: str) -> None:
    spans = render.highlight_spans(src.text, claims)
    snip, snip_spans = render.snippet(src.text, spans)
    with st.container(border=True):
        head = render.escape_md(render.heading_label(src.heading_path))
        st.markdown(f"**{render.escape_md(label)}** {head}")
        st.caption(
            ":material/description: "
            + render.escape_md(f"{src.file} · chars {src.start}–{src.end} · score {src.score:.2f}")
        )
        st.markdown(render.highlight_markdown(snip, snip_spans))
        for note in src.errata:  # the notes are wrong somewhere in this passage
            st.markdown(render.editor_note(note))
        if snip != src.text or src.duplicates:
            with st.expander("Full passage"):
                st.markdown(render.highlight_markdown(src.text, spans))
                if src.duplicates:
                    st.caption(render.escape_md("Also in: " + ", ".join(src.duplicates)))


def show_sources(sources: list[Source], query: str, *, cited_in: str | None = None) -> None:
    for src in sources:
        claims = render.claims_for(cited_in, src.n) if cited_in else [query]
        show_source(src, claims or [query], f"[{src.n}]")


def show_assistant(msg: Msg) -> None:
    kind = msg.get("kind")
    sources = [Source.model_validate(s) for s in msg.get("sources", [])]
    question = str(msg.get("question", ""))
    if kind == "error":
        st.error(render.escape_md(str(msg.get("error", ""))), icon=":material/error:")
        if msg.get("content"):
            st.caption("Partial answer:")
            st.markdown(render.answer_markdown(str(msg["content"])))
        if sources:
            st.caption(f"Passages found ({len(sources)})")
            show_sources(sources, question)
        return
    if kind == "search":
        st.caption(f":material/search: Sources only · {len(sources)} passages")
        show_sources(sources, question)
        return
    answer = str(msg.get("content") or "")
    if msg.get("refused"):
        said = f"  \n{render.escape_md(answer)}" if answer else ""
        st.warning(f"**The notes don't cover this.**{said}", icon=":material/search_off:")
        if sources:
            st.caption(f"Closest passages found anyway ({len(sources)})")
            show_sources(sources, question)
        show_related(msg, _ask_example)
        return
    st.markdown(render.answer_markdown(answer))
    st.caption(render.escape_md(str(msg.get("footer", ""))))
    if line := render.support_line(msg.get("support"), int(msg.get("removed", 0))):
        st.caption(render.escape_md(line))
    citations = [Source.model_validate(s) for s in msg.get("citations", [])]
    if citations:
        st.caption(f":material/menu_book: Sources ({len(citations)})")
        show_sources(citations, question, cited_in=answer)
    elif sources:
        with st.expander(f"Passages given to the model ({len(sources)})"):
            for src in sources:
                st.markdown(f"**\\[{src.n}\\]** {render.escape_md(src.file)}")
                st.markdown(render.escape_md(src.text))
    show_related(msg, _ask_example)


def _answer(
    client: NotesQAClient, question: str, history: list[dict[str, str]], k: int | None
) -> Msg:
    live = st.empty()
    with live.container():
        st.caption(":material/search: Searching the notes…")
    msg: Msg = {"role": "assistant", "kind": "answer", "question": question, "content": ""}
    sources: list[Source] = []
    text = ""
    try:
        for ev in client.ask_stream(question, history=history, top_k=k):
            if isinstance(ev, SourcesEvent):
                sources = ev.sources
                with live.container():
                    st.caption(f":material/menu_book: {len(sources)} passages found · writing…")
            elif isinstance(ev, TokenEvent):
                text += ev.text
                with live.container():
                    st.markdown(render.answer_markdown(text) + " ▌")
            elif isinstance(ev, DoneEvent):
                r = ev.response
                st.session_state["model"] = r.model
                t = r.timings_ms
                msg.update(
                    content=r.answer or text,
                    refused=r.refused,
                    citations=[c.model_dump() for c in r.citations],
                    sources=[s.model_dump() for s in r.sources],
                    support=r.support.model_dump() if r.support else None,
                    removed=len(r.removed),
                    request_id=r.request_id,
                    related=[q.model_dump() for q in getattr(r, "related", [])],
                    footer=f"{r.model} · retrieval {render.format_ms(t.retrieve)}"
                    f" · generation {render.format_ms(t.generate)}"
                    f" · total {render.format_ms(t.total)}",
                )
    except ApiError as err:
        found = err.sources or sources
        msg.update(kind="error", error=err.message, content=text)
        msg["sources"] = [s.model_dump() for s in found]
    with live.container():
        show_assistant(msg)
    return msg


def _search(client: NotesQAClient, question: str, k: int | None) -> Msg:
    msg: Msg = {"role": "assistant", "kind": "search", "question": question}
    try:
        with st.spinner("Searching the notes…"):
            result = client.search(question, k)
        msg["sources"] = [h.model_dump() for h in result.hits]
    except ApiError as err:
        msg.update(kind="error", error=err.message, sources=[s.model_dump() for s in err.sources])
    show_assistant(msg)
    return msg


def chat_page() -> None:
    client = NotesQAClient()
    top_k, sources_only = sidebar(client)
    chat(client, top_k, sources_only)
    service_panel.draw(client)


def main() -> None:
    st.set_page_config(page_title="LLM 面试笔记问答", page_icon=":material/menu_book:")
    st.set_option("client.toolbarMode", "minimal")  # no "Deploy" button
    st.set_option("client.showErrorDetails", "none")  # never a traceback on the page
    pages = [
        st.Page(chat_page, title="问答", icon=":material/chat:", url_path="chat", default=True),
        st.Page(documents_page, title="文档", icon=":material/description:", url_path="documents"),
        st.Page(practice_page, title="练习", icon=":material/school:", url_path="practice"),
    ]
    st.navigation(pages).run()


def chat(client: NotesQAClient, top_k: int | None, sources_only: bool) -> None:
    ss = _state()
    st.title(":material/menu_book: LLM 面试笔记问答")
    st.caption("Answers come only from the interview notes, with numbered citations.")
    messages: list[Msg] = ss["messages"]
    # Read first (it stays docked at the bottom): a typed question hides the examples at once.
    typed = st.chat_input("Ask about the notes… (follow-ups use the chat so far)")
    question = typed or ss["pending"]
    ss["pending"] = None
    if not messages and not question:
        st.markdown("Ask anything about the notes, in Chinese or English. For example:")
        cols = st.columns(len(EXAMPLES))
        for col, q in zip(cols, EXAMPLES, strict=True):
            col.button(q, on_click=_ask_example, args=(q,), width="stretch")
    for msg in messages:
        with st.chat_message(msg["role"]):
            if msg["role"] == "user":
                st.markdown(render.escape_md(msg["content"]))
            else:
                show_assistant(msg)
    if not question or not question.strip():
        return
    history = render.history_turns(messages, MAX_HISTORY_TURNS, MAX_TURN_CHARS)
    messages.append({"role": "user", "content": question})
    with st.chat_message("user"):
        st.markdown(render.escape_md(question))
    with st.chat_message("assistant"):
        if sources_only:
            messages.append(_search(client, question, top_k))
        else:
            messages.append(_answer(client, question, history, top_k))


try:
    main()
except ValidationError as exc:  # a bad NOTESQA_* value: say which, in one line
    st.error(settings_error(exc), icon=":material/error:")
except Exception:  # a friendly line, never a traceback
    log.exception("chat page failed")
    st.error(
        "Something went wrong in the chat page. Reload it and try again.", icon=":material/error:"
    )
