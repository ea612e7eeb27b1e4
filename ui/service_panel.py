"""The sidebar's facts about the service: readiness, generator, index and model, and the
server's defaults (GET /info) the chat page offers. Each is asked once per READY_TTL_S per
session, not on every Streamlit rerun."""

from __future__ import annotations

import time

import streamlit as st

from contract.ops import ServiceInfo
from ui import render
from ui.client import ApiError, NotesQAClient

READY_TTL_S = 30.0  # fresh enough for a status line; a rerun per keystroke asks nothing
OK_ICON, WAIT_ICON, DOWN_ICON = (
    ":green[:material/check_circle:]",
    ":orange[:material/hourglass_top:]",
    ":red[:material/cloud_off:]",
)


def server_info(client: NotesQAClient) -> ServiceInfo | None:
    """GET /info (model, index, the server's top_k default and limit), kept for READY_TTL_S
    per session; None while the API can't be reached."""
    ss = st.session_state
    cached = ss.get("info_cache")
    if cached and time.monotonic() - cached[0] < READY_TTL_S:
        return cached[1]  # type: ignore[no-any-return]
    try:
        info: ServiceInfo | None = client.info()
    except ApiError:
        info = None
    ss["info_cache"] = (time.monotonic(), info)
    return info


def readiness(client: NotesQAClient) -> tuple[str, dict[str, str]]:
    """(status markdown, facts), from GET /readyz, kept for READY_TTL_S per session."""
    ss = st.session_state
    cached = ss.get("ready_cache")
    if cached and time.monotonic() - cached[0] < READY_TTL_S:
        return cached[1], cached[2]
    facts: dict[str, str] = {}
    try:
        ready = client.readiness()
        facts["Generator"] = ready.generator
        if ready.index_version:
            facts["Index"] = ready.index_version
        if info := server_info(client):  # an older server has no /info: model shown later
            facts["Model"] = info.model
        line = "Ready" if ready.ready else f"Not ready: {ready.reason or 'starting'}"
        icon = OK_ICON if ready.ready else WAIT_ICON
    except ApiError as err:
        line, icon = err.message, DOWN_ICON
    line = f"{icon} {render.escape_md(line)}"
    ss["ready_cache"] = (time.monotonic(), line, facts)
    return line, facts


def draw(client: NotesQAClient) -> None:
    """Drawn after the chat, so the model of an answer given in this run is already known."""
    with st.sidebar:
        st.divider()
        st.subheader("Service")
        line, facts = readiness(client)
        st.markdown(line)
        model = st.session_state.get("model") or facts.get("Model")
        facts = {**facts, "Model": model or "shown after the first answer"}
        for name, value in facts.items():
            st.markdown(f"**{name}:** `{value.replace('`', '')}`")
        st.caption(render.escape_md(f"API: {client.settings.api_url}"))
