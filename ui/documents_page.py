"""The 文档 page: upload a note (with a progress bar while it indexes), list, delete.

A client of /documents and /jobs. File names and API messages are escaped like everything
else the page shows (ui/render.py): a name can't become markup.
"""

from __future__ import annotations

import math
import time
from typing import Any

import streamlit as st

from contract.documents import DocumentList, DocumentOut, JobOut
from ui import render
from ui.client import ApiError
from ui.documents_client import DocumentsClient

POLL_S = 0.3  # progress refresh while a job runs: smooth enough, a few requests a second
JOB_DEADLINE_S = 600.0  # stop watching (the job goes on) after this; a 50 KB note needs ~20 s
SOURCE_LABEL = {"corpus": "随项目提供", "upload": "上传"}


def _state() -> Any:
    ss = st.session_state
    ss.setdefault("uploader_key", 0)  # bumped after an upload: clears the file picker
    ss.setdefault("confirm_delete", None)
    ss.setdefault("doc_notice", None)  # (kind, text) shown once after a rerun
    return ss


def _watch(client: DocumentsClient, job_id: str, label: str) -> JobOut:
    """Poll the job, drawing its progress, until it is finished (or we stop watching)."""
    bar = st.progress(0.0, text=f"{label}：排队中…")
    deadline = time.monotonic() + JOB_DEADLINE_S
    while True:
        job = client.job(job_id)
        p = job.progress
        if job.status == "queued":
            ahead = f"（前面还有 {job.queue_position - 1} 个）" if job.queue_position else ""
            bar.progress(0.0, text=f"{label}：排队中{ahead}")
        elif job.status in ("indexing", "publishing"):
            share = p.embedded / p.total if p.total else 0.0
            step = "发布新索引" if job.status == "publishing" else "向量化"
            bar.progress(min(share, 1.0), text=f"{label}：{step} {p.embedded}/{p.total} 个片段")
        else:
            bar.progress(1.0, text=f"{label}：完成" if job.status == "done" else label)
            return job
        if time.monotonic() > deadline:
            return job
        time.sleep(POLL_S)


def _upload(client: DocumentsClient, name: str, data: bytes, replace: bool) -> None:
    ss = st.session_state
    shown = render.escape_md(name)
    try:
        out = client.upload(name, data, replace=replace)
        if isinstance(out, DocumentOut):
            ss["doc_notice"] = ("info", f"{shown} 已在索引中，内容相同：无需重新索引。")
            return
        job = _watch(client, out.job_id, f"正在索引 {shown}")
    except ApiError as err:
        st.error(render.escape_md(err.message), icon=":material/error:")
        return
    if job.status == "done":
        ss["doc_notice"] = (
            "success",
            f"{shown} 已加入：{job.chunks} 个片段，索引版本 `{job.index_version}`。"
            "现在可以在「问答」页提问。",
        )
        ss["uploader_key"] += 1
        st.rerun()
    elif job.status in ("failed", "interrupted"):
        st.error(render.escape_md(f"{name}：{job.error or '索引失败'}"), icon=":material/error:")
    else:
        st.info(f"{shown} 仍在索引中（任务 {job.job_id}），稍后刷新本页查看。")


def upload_form(client: DocumentsClient, max_bytes: int | None) -> None:
    ss = _state()
    st.subheader(":material/upload_file: 上传笔记")
    picked = st.file_uploader(
        "选择 .md、.txt 或 .pdf 文件",
        type=["md", "txt", "pdf"],
        key=f"uploader_{ss['uploader_key']}",
        help="只有新文件的片段会被向量化；上传期间问答照常进行。",
        # the API's own limit (Streamlit counts in MiB), not Streamlit's 200 MB default
        max_upload_size=math.ceil(max_bytes / 2**20) if max_bytes else None,
    )
    replace = st.checkbox("同名文件已存在时替换它", key="replace_existing")
    if st.button("上传并索引", icon=":material/upload:", disabled=picked is None):
        assert picked is not None
        _upload(client, picked.name, picked.getvalue(), replace)


def _delete(client: DocumentsClient, doc_id: str) -> None:
    ss = st.session_state
    ss["confirm_delete"] = None
    shown = render.escape_md(doc_id)
    try:
        job = _watch(client, client.delete(doc_id).job_id, f"正在删除 {shown}")
    except ApiError as err:
        st.error(render.escape_md(err.message), icon=":material/error:")
        return
    if job.status == "done":
        ss["doc_notice"] = ("success", f"{shown} 已删除，之后的回答不会再引用它。")
        st.rerun()
    st.error(render.escape_md(f"{doc_id}：{job.error or '删除未完成'}"), icon=":material/error:")


def document_list(client: DocumentsClient, listing: DocumentList | None) -> None:
    ss = _state()
    st.subheader(":material/folder_open: 已索引的文档")
    if listing is None:
        return
    st.caption(
        render.escape_md(f"索引版本 {listing.index_version} · {len(listing.documents)} 个文档")
    )
    for doc in listing.documents:
        with st.container(border=True):
            name, meta, action = st.columns([5, 4, 2], vertical_alignment="center")
            name.markdown(f"**{render.escape_md(doc.file)}**")
            meta.caption(
                render.escape_md(
                    f"{doc.chunks} 个片段 · {SOURCE_LABEL.get(doc.source, doc.source)}"
                    f" · {doc.added_at[:19].replace('T', ' ')}"
                )
            )
            if doc.source != "upload":
                action.caption("不可删除")
            elif action.button("删除", key=f"del_{doc.doc_id}", icon=":material/delete:"):
                ss["confirm_delete"] = doc.doc_id
                st.rerun()
            if ss["confirm_delete"] == doc.doc_id:
                st.warning(f"确定删除 {render.escape_md(doc.file)}？它的片段会从索引中移除。")
                yes, no = st.columns(2)
                if yes.button("确认删除", key=f"yes_{doc.doc_id}", type="primary"):
                    _delete(client, doc.doc_id)
                if no.button("取消", key=f"no_{doc.doc_id}"):
                    ss["confirm_delete"] = None
                    st.rerun()


def documents_page(client: DocumentsClient | None = None) -> None:
    client = client or DocumentsClient()
    ss = _state()
    st.title(":material/description: 文档")
    st.caption("上传自己的面试笔记：问答会引用它们。随项目提供的笔记不能在这里删除。")
    if notice := ss.get("doc_notice"):
        kind, text = notice
        (st.success if kind == "success" else st.info)(text)
        ss["doc_notice"] = None
    listing: DocumentList | None = None
    try:
        listing = client.documents()
    except ApiError as err:
        st.error(render.escape_md(err.message), icon=":material/cloud_off:")
    upload_form(client, listing.max_upload_bytes if listing else None)
    st.divider()
    document_list(client, listing)
