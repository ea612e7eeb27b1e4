"""Scale-out: two API replicas share one published index and one real Milvus server.

The server is milvus-lite's own gRPC server (`python -m milvus_lite server`), spoken to over
the network exactly as a Milvus standalone or cluster would be: no file lock, many clients.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pymilvus import MilvusClient

from core.milvus_backend import MilvusDense, collection_name

QUESTIONS = ("prefix LM 和 causal LM 区别", "LangChain 的核心组件有哪些", "how does attention work")


@pytest.fixture
def milvus_server(tmp_path: Path) -> Iterator[str]:
    with socket.socket() as s:  # a free port; the server binds it a moment later
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "milvus_lite", "server", "--data-dir", str(tmp_path / "milvus")]
        + ["--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "milvus-lite server did not start"
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        if proc.stderr is not None:
            proc.stderr.close()


def _search(url: str, q: str) -> tuple[str, list[str]]:
    resp = httpx.get(f"{url}/search", params={"q": q, "k": 5}, timeout=30)
    assert resp.status_code == 200, resp.text
    return resp.headers["x-index-version"], [h["chunk_id"] for h in resp.json()["hits"]]


def _wait_for_version(url: str, version: str) -> None:
    deadline = time.monotonic() + 60
    while _search(url, QUESTIONS[0])[0] != version:
        assert time.monotonic() < deadline, f"{url} never served {version}"
        time.sleep(0.1)


def test_two_replicas_share_one_milvus_server_and_follow_a_new_index(
    live_app, milvus_server, index_dir, small_corpus, rebuild
) -> None:
    milvus = {"dense_backend": "milvus", "milvus_uri": milvus_server, "reload_check_s": 0.2}
    with live_app() as faiss_only, live_app(**milvus) as a, live_app(**milvus) as b:
        dense = [srv.app.state.holder.get().dense for srv in (a, b)]
        assert all(isinstance(d, MilvusDense) for d in dense)
        assert [d.created for d in dense].count(True) <= 1  # one wrote it, the other reused it
        for q in QUESTIONS:  # every replica answers like the in-process FAISS one
            want = _search(faiss_only.url, q)
            assert _search(a.url, q) == want and _search(b.url, q) == want

        old = dense[0].collection
        (small_corpus / "extra.md").write_text(
            "# 新章节\n\n## 什么是量子退火调度器？\n\n量子退火调度器是一个虚构的概念。\n",
            encoding="utf-8",
        )
        new_version = rebuild(small_corpus, index_dir)  # one ingest job publishes
        for srv in (a, b):
            _wait_for_version(srv.url, new_version)  # hot reload, no restart
        # both reloaded at once: at most one built the new collection, the other reused it
        assert [srv.app.state.holder.get().dense.created for srv in (a, b)].count(True) <= 1
        assert _search(a.url, "量子退火调度器") == _search(b.url, "量子退火调度器")

    client = MilvusClient(milvus_server)
    try:  # both versions' collections live on the server: old readers could still finish
        assert set(client.list_collections()) == {old, collection_name(new_version)}
    finally:
        client.close()
