"""Two API replicas on one Milvus server, sharing the index and documents volume: a note added
through one is listed and retrieved by both; deleted through the other, by neither."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

from core.milvus_backend import MilvusDense
from tests.service.test_replicas_milvus import milvus_server  # noqa: F401 - a fixture

NOTE = "# 笔记\n\n## 1. 什么是 Zorbex 正则化？\n\nZorbex 正则化随机冻结注意力头，减轻过拟合。\n"


def _docs(url: str) -> tuple[str, set[str]]:
    body = httpx.get(f"{url}/documents", timeout=30).json()
    return body["index_version"], {d["doc_id"] for d in body["documents"]}


def _files(url: str) -> set[str]:
    resp = httpx.get(f"{url}/search", params={"q": "Zorbex 正则化", "k": 20}, timeout=30)
    assert resp.status_code == 200, resp.text
    return {h["file"] for h in resp.json()["hits"]}


def _until(check: Any, what: str) -> None:
    deadline = time.monotonic() + 60
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def test_replicas_see_the_same_documents(
    live_app: Any,
    milvus_server: str,  # noqa: F811 - the imported fixture
    small_corpus: Path,
) -> None:
    shared = {
        "dense_backend": "milvus",
        "milvus_uri": milvus_server,
        "reload_check_s": 0.2,
        "corpus_dir": small_corpus,
    }
    with live_app(**shared) as a, live_app(**shared) as b:
        assert all(isinstance(s.app.state.holder.get().dense, MilvusDense) for s in (a, b))
        resp = httpx.post(
            f"{a.url}/documents",
            params={"wait": "true"},
            files={"file": ("zorbex.md", NOTE.encode())},
            timeout=120,
        )
        assert resp.status_code == 201, resp.text
        version = resp.json()["index_version"]
        _until(lambda: _docs(b.url)[0] == version, "replica b never served the new version")
        assert _docs(a.url) == _docs(b.url) and "zorbex.md" in _docs(b.url)[1]
        assert "zorbex.md" in _files(a.url) and "zorbex.md" in _files(b.url)

        gone = httpx.delete(f"{b.url}/documents/zorbex.md", params={"wait": "true"}, timeout=120)
        assert gone.status_code == 200, gone.text
        version = gone.json()["index_version"]
        _until(lambda: _docs(a.url)[0] == version, "replica a never served the deletion")
        assert _docs(a.url) == _docs(b.url) and "zorbex.md" not in _docs(a.url)[1]
        assert "zorbex.md" not in _files(a.url) | _files(b.url)
