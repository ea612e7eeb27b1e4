"""The document store: add, replace, delete, queueing, failures; with the hashing fake embedder."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from core import index_store
from core.errors import DocumentConflict, NotFound
from core.settings import Settings
from ingest.build import build_index
from ingest.catalog import DocInfo
from ingest.documents import DocumentStore
from ingest.jobs import Job
from tests.fakes import CountingHashEmbedder

NOTE = (
    "# 我的笔记\n\n## 1. 什么是 Zorbex 正则化？\n\n"
    "Zorbex 正则化是一种在训练时随机冻结注意力头的方法，可以减轻过拟合，"
    "冻结比例通常取百分之十五。\n\n## 2. Zorbex 的缺点是什么？\n\n"
    "训练步数需要增加大约两成，小模型上收益不明显。\n"
)


def make_settings(corpus: Path, tmp_path: Path) -> Settings:
    return Settings(corpus_dir=corpus, index_dir=tmp_path / "index")


@pytest.fixture
def settings(small_corpus: Path, tmp_path: Path) -> Settings:
    s = make_settings(small_corpus, tmp_path)
    build_index(s, embedder_factory=CountingHashEmbedder, progress=False)
    return s


def run_now(store: DocumentStore, submitted: Job | DocInfo) -> Job:
    assert isinstance(submitted, Job), submitted
    return store.run(submitted.job_id)


def test_add_embeds_only_its_chunks_and_lists_it(settings: Settings) -> None:
    fake = CountingHashEmbedder()
    store = DocumentStore(settings, embedder_factory=lambda: fake)
    before = index_store.load_index(settings.index_dir)
    job = run_now(store, store.submit_upload("zorbex.md", NOTE.encode()))
    assert job.status == "done", job.error
    after = index_store.load_index(settings.index_dir)
    assert after.version == job.index_version != before.version
    mine = [c for c in after.chunks if c.doc_id == "zorbex.md"]
    assert len(mine) == job.chunks >= 1
    assert fake.passages_embedded == len({c.content_hash for c in mine}) == job.total
    assert job.embedded == job.total
    docs = {d.doc_id: d for d in store.documents()}
    assert docs["zorbex.md"].source == "upload" and docs["a.md"].source == "corpus"
    assert docs["zorbex.md"].chunks == len(mine) and docs["zorbex.md"].added_at
    assert (settings.documents_dir() / "zorbex.md").read_bytes() == NOTE.encode()
    assert not any((settings.documents_dir() / ".staging").iterdir())

    # the same content again: the existing document, no job, nothing embedded
    again = store.submit_upload("zorbex.md", NOTE.encode())
    assert isinstance(again, DocInfo) and again == docs["zorbex.md"]
    assert index_store.load_index(settings.index_dir).version == after.version


def test_replace_keeps_doc_id_and_other_chunk_ids(settings: Settings) -> None:
    store = DocumentStore(settings, embedder_factory=CountingHashEmbedder)
    run_now(store, store.submit_upload("zorbex.md", NOTE.encode()))
    first = index_store.load_index(settings.index_dir)
    edited = NOTE.replace("百分之十五", "百分之二十")
    with pytest.raises(DocumentConflict, match="replace=true"):
        store.submit_upload("zorbex.md", edited.encode())
    assert index_store.load_index(settings.index_dir).version == first.version

    fake = CountingHashEmbedder()
    store = DocumentStore(settings, embedder_factory=lambda: fake)
    job = run_now(store, store.submit_upload("zorbex.md", edited.encode(), replace=True))
    assert job.status == "done" and job.op == "replace" and job.doc_id == "zorbex.md"
    second = index_store.load_index(settings.index_dir)
    ids = {c.chunk_id for c in first.chunks if c.doc_id != "zorbex.md"}
    assert ids == {c.chunk_id for c in second.chunks if c.doc_id != "zorbex.md"}
    assert fake.passages_embedded == 1  # only the edited Q&A chunk
    assert any("百分之二十" in c.text for c in second.chunks)
    assert not any("百分之十五" in c.text for c in second.chunks)


def test_delete_removes_chunks_and_file(settings: Settings) -> None:
    store = DocumentStore(settings, embedder_factory=CountingHashEmbedder)
    run_now(store, store.submit_upload("zorbex.md", NOTE.encode()))
    job = store.run(store.submit_delete("zorbex.md").job_id)
    assert job.status == "done" and job.chunks == 0
    loaded = index_store.load_index(settings.index_dir)
    assert all(c.doc_id != "zorbex.md" for c in loaded.chunks)
    assert "zorbex.md" not in loaded.manifest["documents"]
    assert not (settings.documents_dir() / "zorbex.md").exists()
    with pytest.raises(NotFound):
        store.submit_delete("zorbex.md")
    with pytest.raises(DocumentConflict, match="ships with the project"):
        store.submit_delete("a.md")
    with pytest.raises(DocumentConflict, match="ships with the project"):
        store.submit_upload("a.md", NOTE.encode(), replace=True)


def test_cli_and_store_agree(settings: Settings) -> None:
    store = DocumentStore(settings, embedder_factory=CountingHashEmbedder)
    job = run_now(store, store.submit_upload("zorbex.md", NOTE.encode()))
    # a plain re-ingest reads corpus/ and documents/: nothing to do
    report = build_index(settings, embedder_factory=CountingHashEmbedder, progress=False)
    assert not report.published and report.version == job.index_version
    assert report.docs["zorbex.md"] == "unchanged"


class FailingEmbedder(CountingHashEmbedder):
    def embed_passages(self, texts: list[str]) -> np.ndarray:
        raise RuntimeError("embedder exploded")


def test_failed_job_leaves_index_and_documents(settings: Settings) -> None:
    store = DocumentStore(settings, embedder_factory=FailingEmbedder)
    version = index_store.load_index(settings.index_dir).version
    listed = store.documents()
    job = run_now(store, store.submit_upload("zorbex.md", NOTE.encode()))
    assert job.status == "failed" and job.error
    assert "exploded" not in job.error  # internal text stays in the log
    assert index_store.load_index(settings.index_dir).version == version
    assert store.documents() == listed
    assert not (settings.documents_dir() / "zorbex.md").exists()
    assert not any((settings.documents_dir() / ".staging").iterdir())


class SlowEmbedder(CountingHashEmbedder):
    """Holds the first batch until released: a job that is visibly mid-indexing."""

    def __init__(self, gate: threading.Event) -> None:
        super().__init__()
        self.gate = gate

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        assert self.gate.wait(60)
        return super().embed_passages(texts)


def test_concurrent_uploads_queue_and_all_land(settings: Settings) -> None:
    gate = threading.Event()
    store = DocumentStore(settings, embedder_factory=lambda: SlowEmbedder(gate))
    store.start()
    try:
        first = store.submit_upload("one.md", NOTE.encode())
        second = store.submit_upload("two.md", NOTE.replace("Zorbex", "Quillon").encode())
        assert isinstance(first, Job) and isinstance(second, Job)
        with pytest.raises(DocumentConflict, match="not finished"):
            store.submit_upload("one.md", b"# other\n\nsome other text for the same name\n")
        for _ in range(200):
            if store.job(first.job_id).status == "indexing":
                break
            threading.Event().wait(0.05)
        assert store.job(first.job_id).status == "indexing"
        assert store.job(second.job_id).status == "queued"
        assert store.queue_position(second.job_id) == 1
        gate.set()
        assert store.wait(first.job_id, 60).status == "done"
        assert store.wait(second.job_id, 60).status == "done"
    finally:
        gate.set()
        store.stop()
    docs = {d.doc_id for d in store.documents()}
    assert {"one.md", "two.md", "a.md", "b.md"} == docs
    assert {j.job_id for j in store.jobs()} >= {first.job_id, second.job_id}


def test_new_chunk_settings_apply_to_every_document(settings: Settings) -> None:
    """A job after a settings change re-chunks everything with the new settings (RAGFlow 10785:
    re-parsing that kept the old ones)."""
    before = index_store.load_index(settings.index_dir)
    changed = settings.model_copy(update={"chunk_size": 400, "chunk_overlap": 60})
    store = DocumentStore(changed, embedder_factory=CountingHashEmbedder)
    job = run_now(store, store.submit_upload("zorbex.md", NOTE.encode()))
    assert job.status == "done", job.error
    after = index_store.load_index(settings.index_dir)
    assert after.manifest["chunker"] == {"chunk_size": 400, "chunk_overlap": 60}
    old_ids = {c.chunk_id for c in before.chunks}
    assert not old_ids & {c.chunk_id for c in after.chunks}  # ids carry the chunk settings
    mine = sum(c.doc_id == "zorbex.md" for c in after.chunks)
    assert job.total > mine  # the corpus was re-chunked and embedded again, not just the note


def test_a_replica_that_added_the_name_first_wins(settings: Settings) -> None:
    """Two stores (two replicas) queue the same new name: the second job, checked again under
    the writer lock, neither overwrites the first nor re-embeds the same content."""
    a = DocumentStore(settings, embedder_factory=CountingHashEmbedder)
    b = DocumentStore(settings, embedder_factory=CountingHashEmbedder)
    c = DocumentStore(settings, embedder_factory=CountingHashEmbedder)
    first = a.submit_upload("zorbex.md", NOTE.encode())
    other = b.submit_upload("zorbex.md", NOTE.replace("Zorbex", "Quillon").encode())
    same = c.submit_upload("zorbex.md", NOTE.encode())
    assert run_now(a, first).status == "done"
    version = index_store.load_index(settings.index_dir).version
    lost = run_now(b, other)
    assert lost.status == "failed" and "replace=true" in (lost.error or "")
    dup = run_now(c, same)
    assert dup.status == "done" and dup.index_version == version
    assert index_store.load_index(settings.index_dir).version == version
    text = (settings.documents_dir() / "zorbex.md").read_text(encoding="utf-8")
    assert text == NOTE


def test_cli_indexes_the_documents_dir(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ingest.__main__ import main

    monkeypatch.setattr("ingest.build.build_embedder", lambda *_: CountingHashEmbedder())
    docs = tmp_path / "my-notes"
    docs.mkdir()
    (docs / "zorbex.md").write_text(NOTE, encoding="utf-8")
    args = ["--corpus", str(settings.corpus_dir), "--index", str(settings.index_dir)]
    assert main([*args, "--docs", str(docs), "--quiet"]) == 0
    manifest = index_store.load_index(settings.index_dir).manifest
    assert manifest["documents"]["zorbex.md"]["source"] == "upload"
    assert manifest["documents"]["a.md"]["source"] == "corpus"
    (docs / "a.md").write_text(NOTE, encoding="utf-8")  # a name the corpus already has
    assert main([*args, "--docs", str(docs), "--quiet"]) == 2
    assert index_store.load_index(settings.index_dir).manifest == manifest
