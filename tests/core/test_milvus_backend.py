"""The Milvus dense backend, against a real milvus-lite file: same hits as FAISS."""

from __future__ import annotations

from pathlib import Path

import pytest

from core import index_store  # noqa: E402
from core.dense_backends import FaissDense, index_vectors  # noqa: E402
from core.milvus_backend import MilvusDense, collection_name  # noqa: E402
from core.retrieval import HybridRetriever, open_retriever  # noqa: E402
from core.settings import Settings  # noqa: E402
from ingest.build import build_index  # noqa: E402
from tests.fakes import CountingHashEmbedder  # noqa: E402

QUESTIONS = (
    "prefix LM 和 causal LM 区别",
    "LangChain 的核心组件有哪些",
    "什么是大模型的涌现能力",
    "how does attention work",
)


@pytest.fixture
def built(small_corpus: Path, tmp_path: Path) -> Settings:
    s = Settings(corpus_dir=small_corpus, index_dir=tmp_path / "idx")
    build_index(s, embedder_factory=CountingHashEmbedder, progress=False)
    return s


def _ids(r: HybridRetriever, q: str, mode: str) -> list[str]:
    return [h.chunk.chunk_id for h in r.search(q, 5, mode=mode)]  # type: ignore[arg-type]


def test_milvus_backend_ranks_like_faiss(built: Settings, tmp_path: Path) -> None:
    index = index_store.load_index(built.index_dir)
    faiss_r = HybridRetriever(index, CountingHashEmbedder(), built)
    assert isinstance(faiss_r.dense, FaissDense)
    milvus = MilvusDense(str(tmp_path / "m" / "notes.db"), index.version, index_vectors(index))
    try:
        assert milvus.created
        milvus_r = HybridRetriever(index, CountingHashEmbedder(), built, dense=milvus)
        embedder = CountingHashEmbedder()
        for q in QUESTIONS:
            qvec = embedder.embed_query_vector(q)
            want, got = faiss_r.dense.search(qvec, 10), milvus.search(qvec, 10)
            assert [s for _, s in got] == pytest.approx([s for _, s in want], abs=1e-5)
            # exact search on both sides: the same rows, up to the order of tied scores
            by_score = {round(s, 4): set() for _, s in want}  # type: dict[float, set[int]]
            for row, s in want:
                by_score[round(s, 4)].add(row)
            for row, s in got[:-1]:  # the last place may hold a different member of a tie
                assert row in by_score[round(s, 4)], q
            for mode in ("dense", "hybrid"):
                assert _ids(milvus_r, q, mode) == _ids(faiss_r, q, mode), (q, mode)
    finally:
        milvus.close()


def test_settings_select_milvus_and_reopen_reuses_the_collection(
    built: Settings, tmp_path: Path
) -> None:
    uri = str(tmp_path / "m" / "notes.db")
    s = built.model_copy(update={"dense_backend": "milvus", "milvus_uri": uri})
    first = open_retriever(s, CountingHashEmbedder())
    assert isinstance(first.dense, MilvusDense) and first.dense.created
    assert first.dense.collection == collection_name(first.version)
    hits = _ids(first, QUESTIONS[1], "hybrid")
    first.dense.close()

    again = open_retriever(s, CountingHashEmbedder())
    try:
        assert isinstance(again.dense, MilvusDense)
        assert not again.dense.created  # found complete: nothing re-inserted
        assert _ids(again, QUESTIONS[1], "hybrid") == hits
        assert again.dense.client.list_collections() == [again.dense.collection]
    finally:
        again.dense.close()


def test_incomplete_collection_is_rebuilt(built: Settings, tmp_path: Path) -> None:
    index = index_store.load_index(built.index_dir)
    vectors = index_vectors(index)
    uri = str(tmp_path / "m" / "notes.db")
    partial = MilvusDense(uri, index.version, vectors[:3])  # as if a writer died mid-insert
    partial.close()
    full = MilvusDense(uri, index.version, vectors)
    try:
        assert full.created
        assert full.client.get_collection_stats(full.collection)["row_count"] == len(vectors)
    finally:
        full.close()


def test_collection_names_are_valid() -> None:
    assert collection_name("20261124T082207-7b48e574") == "notes_20261124T082207_7b48e574"


def test_opening_a_version_prunes_collections_beyond_the_newest_three(
    built: Settings, tmp_path: Path
) -> None:
    vectors = index_vectors(index_store.load_index(built.index_dir))
    uri = str(tmp_path / "m" / "notes.db")
    versions = [f"2026010{d}T000000-0000000{d}" for d in range(1, 6)]
    dropped = []
    for v in versions[:4]:
        opened = MilvusDense(uri, v, vectors)
        dropped.append(opened.dropped)
        opened.close()
    assert dropped == [[], [], [], [collection_name(versions[0])]]  # 4 made 1 the fourth newest
    newest = MilvusDense(uri, versions[4], vectors)
    try:
        assert newest.dropped == [collection_name(versions[1])]
        want = sorted(collection_name(v) for v in versions[2:])
        assert sorted(newest.client.list_collections()) == want
    finally:
        newest.close()
    # A replica left on an old version keeps its own collection, whatever its age.
    old = MilvusDense(uri, versions[0], vectors)
    try:
        assert old.created and old.dropped == []
        assert collection_name(versions[0]) in old.client.list_collections()
    finally:
        old.close()
    again = MilvusDense(uri, versions[4], vectors)
    try:
        assert again.dropped == [collection_name(versions[0])] and not again.created
    finally:
        again.close()
