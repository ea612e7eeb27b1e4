"""Faults from outside the process: the LLM server dies, index files rot, the disk fills up."""

from __future__ import annotations

import errno
import json
import logging
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from core import index_store
from core.settings import Settings
from ingest.__main__ import main as ingest_main
from service.generators import GeneratorConfig, build_generator
from tests.fakes import CountingHashEmbedder

SERVER = Path(__file__).with_name("fake_llm_server.py")
NEW_FILE = (
    "# 新章节\n\n## 什么是量子退火调度器？\n\n量子退火调度器是一个虚构的概念，用于测试增量索引。\n"
)


# --- (a) the OpenAI-compatible generator server dies mid-request ---------------------------
class KillableLLM:
    def __init__(self, markers: Path) -> None:
        self.markers = markers
        self.proc = subprocess.Popen(
            [sys.executable, str(SERVER), str(markers)], stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None
        self.url = f"http://127.0.0.1:{int(self.proc.stdout.readline())}/v1"

    def wait_for_request(self, timeout_s: float = 20) -> None:
        deadline = time.monotonic() + timeout_s
        while not any(self.markers.iterdir()):
            assert time.monotonic() < deadline, "the generator server never got the request"
            time.sleep(0.02)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


@pytest.fixture
def llm(tmp_path: Path) -> Iterator[KillableLLM]:
    markers = tmp_path / "markers"
    markers.mkdir()
    server = KillableLLM(markers)
    try:
        yield server
    finally:
        server.kill()


def generator_for(url: str) -> Any:
    return build_generator(
        "openai",
        GeneratorConfig.from_settings(Settings(), kind="openai", base_url=url, model="fake-model"),
    )


def test_llm_killed_mid_answer_gives_503_with_sources(live_app, llm, on_topic) -> None:
    with live_app(generator_for(llm.url)) as srv, ThreadPoolExecutor(1) as pool:
        pending = pool.submit(httpx.post, f"{srv.url}/ask", json={"question": on_topic}, timeout=60)
        llm.wait_for_request()
        llm.kill()
        resp = pending.result(timeout=60)
        assert resp.status_code == 503, resp.text
        body = resp.json()
        assert body["error"]["code"] == "generator_unavailable"
        assert body["sources"] and body["sources"][0]["n"] == 1
        metrics = httpx.get(f"{srv.url}/metrics").text
        assert 'notesqa_generator_errors_total{code="generator_unavailable"} 1.0' in metrics


def test_llm_killed_mid_stream_ends_with_error_event_carrying_sources(
    live_app, llm, on_topic, sse
) -> None:
    with live_app(generator_for(llm.url)) as srv:
        request = {"question": on_topic, "stream": True}
        text = ""
        with httpx.stream("POST", f"{srv.url}/ask", json=request, timeout=60) as resp:
            assert resp.status_code == 200
            for piece in resp.iter_text():
                text += piece
                if text.count("event: token") == 2 and llm.proc.poll() is None:
                    llm.kill()  # two tokens arrived: the answer is under way
        events = sse(text)
        names = [e for e, _ in events]
        assert names[0] == "sources" and "token" in names and names[-1] == "error"
        err = events[-1][1]
        assert err["error"]["code"] == "generator_unavailable"
        assert err["sources"] and err["sources"] == events[0][1]["sources"]
        # the service itself is fine: the next question gets the same, clear 503
        again = httpx.post(f"{srv.url}/ask", json={"question": on_topic}, timeout=60)
        assert again.status_code == 503 and again.json()["sources"]


# --- (b) a corrupted or truncated index file at start-up ----------------------------------
def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


CORRUPTIONS = {
    index_store.DENSE: _truncate,
    index_store.CHUNKS: _truncate,
    index_store.MANIFEST: lambda p: p.write_text("{not json", encoding="utf-8"),
}


@pytest.mark.parametrize("name", list(CORRUPTIONS))
def test_corrupt_current_index_falls_back_to_the_last_good_one(
    app_factory, index_dir: Path, small_corpus: Path, rebuild, name: str, caplog
) -> None:
    good = index_store.load_index(index_dir).version
    (small_corpus / "c.md").write_text(NEW_FILE, encoding="utf-8")
    bad = rebuild(small_corpus, index_dir)
    assert bad != good
    broken = index_dir / "versions" / bad / name
    CORRUPTIONS[name](broken)
    with caplog.at_level(logging.WARNING), app_factory() as (client, _):
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.text
        body = ready.json()
        assert body["ready"] is True and body["index_version"] == good
        assert str(broken) in body["warning"] and good in body["warning"]
        search = client.get("/search", params={"q": "LoRA"})
        assert search.status_code == 200 and search.headers["x-index-version"] == good
        assert search.json()["hits"]
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(str(broken) in m and "last good index" in m for m in logged), logged


def test_corrupt_index_without_a_good_one_is_not_ready_and_names_the_file(
    app_factory, index_dir: Path, error_of
) -> None:
    dense = index_store.load_index(index_dir).path / index_store.DENSE
    _truncate(dense)
    with app_factory() as (client, _):
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["ready"] is False
        assert str(dense) in ready.json()["reason"] and "corrupt" in ready.json()["reason"]
        body = error_of(client.get("/search", params={"q": "LoRA"}), 503, "index_not_ready")
        assert str(dense) in body["error"]["message"]


# --- (c) the disk fills up during ingest --------------------------------------------------
def _enospc(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("where", ["dense", "chunks"])
def test_disk_full_during_ingest_keeps_the_old_index(
    index_dir: Path, small_corpus: Path, monkeypatch, capsys, where: str
) -> None:
    old = index_store.load_index(index_dir)
    (small_corpus / "c.md").write_text(NEW_FILE, encoding="utf-8")
    monkeypatch.setattr("ingest.build.build_embedder", lambda *a, **k: CountingHashEmbedder())
    if where == "dense":  # fails after chunks.jsonl was written
        monkeypatch.setattr(index_store.faiss, "write_index", _enospc)
    else:  # fails half-way through writing chunks.jsonl
        monkeypatch.setattr(index_store, "chunk_to_json", _enospc)
    capsys.readouterr()
    rc = ingest_main(["--corpus", str(small_corpus), "--index", str(index_dir), "--quiet"])
    out, err = capsys.readouterr()
    assert rc != 0
    assert err.strip().splitlines() == [
        "ingest: error writing the index: disk full (existing index left unchanged)"
    ]
    assert not out
    after = index_store.load_index(index_dir)
    assert after.version == old.version and not after.warnings
    assert len(after.chunks) == len(old.chunks)
    versions = [p.name for p in (index_dir / "versions").iterdir()]
    assert versions == [old.version], versions  # no staging dir, no half version
    manifest = json.loads((old.path / index_store.MANIFEST).read_text(encoding="utf-8"))
    assert "c.md" not in manifest["documents"]
