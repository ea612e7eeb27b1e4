"""Hybrid retrieval: dense (FAISS or Milvus) + BM25, fused, with near-duplicates collapsed."""

from __future__ import annotations

from typing import Literal

import numpy as np

from core.dense_backends import DenseBackend, index_vectors, open_dense
from core.embedders import Embedder
from core.index_store import LoadedIndex
from core.settings import Settings
from core.text import has_cjk, mainly_latin
from core.text_tokens import tokenize
from core.types import Hit

Mode = Literal["hybrid", "dense", "bm25"]
# A heading with no answer must never outrank real text: hollow chunks sort after every
# non-hollow candidate (fused scores lie in [0, 1]), and stay visible only as a last resort.
HOLLOW_PENALTY = 1.0


class HybridRetriever:
    def __init__(
        self,
        index: LoadedIndex,
        embedder: Embedder,
        settings: Settings,
        dense: DenseBackend | None = None,
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.settings = settings
        # In memory either way: the fused union is re-scored against these, whatever backend
        # proposed the dense candidates.
        self._vectors = index_vectors(index)
        self.dense = dense or open_dense(settings, index, self._vectors)
        self._hollow = np.array([c.hollow for c in index.chunks], dtype=bool)
        self._across = across_languages(self._vectors, [c.text for c in index.chunks])

    @property
    def version(self) -> str:
        return self.index.version

    def _bm25_scores(self, question: str) -> np.ndarray:
        tokens = tokenize(question)
        if not tokens or not len(self.index.chunks):
            return np.zeros(len(self.index.chunks), np.float32)
        return np.asarray(self.index.bm25.get_scores(tokens), dtype=np.float32)

    def search(self, question: str, k: int, mode: Mode = "hybrid") -> list[Hit]:
        chunks = self.index.chunks
        if not chunks or not question.strip():
            return []
        pool = min(self.settings.candidate_k, len(chunks))
        qvec = self.embedder.embed_query_vector(question).astype(np.float32)
        dense_ids = [row for row, _ in self.dense.search(qvec, pool)]
        bm25 = self._bm25_scores(question)
        bm25_ids = [int(i) for i in np.argsort(-bm25)[:pool] if bm25[i] > 0]
        if mode == "dense":
            bm25_ids = []
        elif mode == "bm25":
            dense_ids = []
        union = list(dict.fromkeys(dense_ids + bm25_ids))
        if not union:
            return []
        # an English question is scored against every passage as if all were Chinese
        vectors = self._across if mainly_latin(question) else self._vectors
        cos = vectors[union] @ qvec
        weight = (
            self.settings.dense_weight if has_cjk(question) else self.settings.dense_weight_latin
        )
        fused = self._fuse(union, dense_ids, bm25_ids, cos, bm25[union], mode, weight)
        fused = np.where(self._hollow[union], fused - HOLLOW_PENALTY, fused)
        order = np.argsort(-fused, kind="stable")
        return self._collapse(
            [(union[i], float(fused[i]), float(cos[i]), float(bm25[union[i]])) for i in order], k
        )

    def _fuse(
        self,
        union: list[int],
        dense_ids: list[int],
        bm25_ids: list[int],
        cos: np.ndarray,
        bm25: np.ndarray,
        mode: Mode,
        weight: float,
    ) -> np.ndarray:
        if mode == "dense":
            return cos.copy()
        if mode == "bm25":
            return bm25.copy()
        if self.settings.fusion == "rrf":
            rank_d = {c: r for r, c in enumerate(dense_ids)}
            rank_b = {c: r for r, c in enumerate(bm25_ids)}
            kk = self.settings.rrf_k
            return np.array(
                [
                    (1 / (kk + rank_d[c]) if c in rank_d else 0.0)
                    + (1 / (kk + rank_b[c]) if c in rank_b else 0.0)
                    for c in union
                ]
            )
        # Weighted: min-max the cosines (e5 cosines bunch in 0.8-0.9, so raw values say little)
        # and scale BM25 by its best score.
        span = float(cos.max() - cos.min())
        d = (cos - cos.min()) / span if span > 1e-9 else np.ones_like(cos)
        top = float(bm25.max())
        b = bm25 / top if top > 0 else np.zeros_like(bm25)
        return weight * d + (1 - weight) * b

    def _collapse(self, ranked: list[tuple[int, float, float, float]], k: int) -> list[Hit]:
        """Keep the best-ranked copy of each duplicate group and list the others on it."""
        kept: list[Hit] = []
        by_group: dict[str, int] = {}
        extra: dict[int, list[str]] = {}
        for idx, score, cos, bm in ranked:
            chunk = self.index.chunks[idx]
            group = chunk.dup_group
            if group and group in by_group:
                extra.setdefault(by_group[group], []).append(chunk.chunk_id)
                continue
            if len(kept) >= k:
                continue  # still scanning, to list the copies of hits already kept
            if group:
                by_group[group] = len(kept)
            kept.append(Hit(chunk, score, cos, bm))
        return [
            Hit(h.chunk, h.score, h.dense_score, h.bm25_score, tuple(extra.get(i, ())))
            for i, h in enumerate(kept)
        ]


def across_languages(vectors: np.ndarray, texts: list[str]) -> np.ndarray:
    """The passage vectors with the English ones moved by the difference of the two languages'
    means. e5 puts texts of one language near each other, so the notes' few English passages
    (LangChain's) sat closest to any English question: "What factors can introduce bias into a
    large language model?" got LangChain's "Components and Chains" first. Moved, they compete on
    what they say (dev and held-out English questions: dense MRR 0.570 -> 0.610)."""
    latin = np.array([mainly_latin(t) for t in texts], dtype=bool)
    if not latin.any() or latin.all():
        return vectors
    moved = vectors.copy()
    moved[latin] += vectors[~latin].mean(axis=0) - vectors[latin].mean(axis=0)
    moved /= np.maximum(np.linalg.norm(moved, axis=1, keepdims=True), 1e-12)
    return moved.astype(np.float32)


def open_retriever(settings: Settings, embedder: Embedder | None = None) -> HybridRetriever:
    """Load the published index and an embedder that matches the one it was built with."""
    from core.embedders import build_embedder
    from core.errors import SettingsMismatch
    from core.index_store import load_index

    index = load_index(settings.index_dir)
    built_with = index.manifest["embedder"]["spec"]
    if built_with != settings.embedder:
        raise SettingsMismatch(
            f"index was built with embedder {built_with!r} but settings say {settings.embedder!r}:"
            " run `python -m ingest`"
        )
    return HybridRetriever(
        index, embedder or build_embedder(built_with, settings.embed_threads), settings
    )
