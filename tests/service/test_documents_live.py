"""Reads while a document indexes, and a restart after a job's process died."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
from fastapi.testclient import TestClient

from core.retrieval import open_retriever
from core.settings import Settings
from ingest.jobs import Job, JobJournal, owner_id
from service.app import create_app
from tests.fakes import CountingHashEmbedder
from tests.service.conftest import TEST_GATE, FakeGenerator
from tests.service.docs_helpers import wait_job

NOTE = "# 笔记\n\n## 1. 什么是 Zorbex 正则化？\n\nZorbex 正则化随机冻结注意力头，减轻过拟合。\n"


class GatedEmbedder(CountingHashEmbedder):
    """Queries answer at once; passages (a document job) wait for the gate."""

    def __init__(self, gate: threading.Event) -> None:
        super().__init__()
        self.gate = gate

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        assert self.gate.wait(60)
        return super().embed_passages(texts)


def _app(index_dir: Path, corpus: Path, loader: Any = None) -> Any:
    settings = Settings(index_dir=index_dir, corpus_dir=corpus, **TEST_GATE)  # type: ignore[arg-type]
    return create_app(
        settings,
        generator=FakeGenerator(),
        retriever_loader=loader or (lambda s: open_retriever(s, CountingHashEmbedder())),
    )


def test_search_answers_from_the_old_version_while_indexing(
    index_dir: Path, small_corpus: Path
) -> None:
    gate = threading.Event()
    embedder = GatedEmbedder(gate)
    app = _app(index_dir, small_corpus, lambda s: open_retriever(s, embedder))
    try:
        with TestClient(app) as client:
            assert app.state.holder.first_attempt.wait(30)
            old = client.get("/search", params={"q": "Zorbex"}).headers["x-index-version"]
            job_id = client.post("/documents", files={"file": ("z.md", NOTE.encode())}).json()[
                "job_id"
            ]
            deadline = time.monotonic() + 30
            while client.get(f"/jobs/{job_id}").json()["status"] != "indexing":
                assert time.monotonic() < deadline
                time.sleep(0.05)
            for _ in range(5):  # the job holds the writer lock; reads don't care
                resp = client.get("/search", params={"q": "Zorbex 正则化"})
                assert resp.status_code == 200 and resp.headers["x-index-version"] == old
                assert "z.md" not in {h["file"] for h in resp.json()["hits"]}
            assert client.post("/ask", json={"question": "什么是 LoRA？"}).status_code == 200
            gate.set()
            job = wait_job(client, job_id)
            assert job["status"] == "done" and job["index_version"] != old
            resp = client.get("/search", params={"q": "Zorbex 正则化"})
            assert resp.headers["x-index-version"] == job["index_version"]
            assert "z.md" in {h["file"] for h in resp.json()["hits"]}
    finally:
        gate.set()


def test_restart_reports_a_dead_process_job(index_dir: Path, small_corpus: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], text=True,
                          capture_output=True, check=True)  # fmt: skip
    owner = owner_id("gone").replace(f":{os.getpid()}:", f":{int(dead.stdout)}:")
    settings = Settings(index_dir=index_dir, corpus_dir=small_corpus)
    journal = JobJournal(settings.documents_dir() / ".jobs")
    journal.save(Job("0123456789abcdef", "add", "lost.md", owner, status="indexing"))
    app = _app(index_dir, small_corpus)
    with TestClient(app) as client:
        job = client.get("/jobs/0123456789abcdef").json()
        assert job["status"] == "interrupted" and "kept" in job["error"]
        assert client.get("/jobs").json()["jobs"][0]["job_id"] == "0123456789abcdef"
        assert "lost.md" not in {d["doc_id"] for d in client.get("/documents").json()["documents"]}
