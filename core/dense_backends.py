"""Where dense candidates come from: FAISS in-process (default) or a Milvus collection.

Only candidate generation is swappable. BM25 stays in-process (it is small), and the
retriever keeps the index's vectors in memory to re-score the fused union, so every backend
feeds the same fusion, hollow penalty and duplicate collapse.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from core.index_store import LoadedIndex
from core.settings import Settings


class DenseBackend(Protocol):
    name: str

    def search(self, qvec: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The k nearest chunk rows to a unit query vector, best first, as (row, cosine)."""
        ...


class FaissDense:
    """The index's own exact inner-product FAISS index (vectors are unit length: IP = cosine)."""

    name = "faiss"

    def __init__(self, index: Any) -> None:
        self.index = index

    def search(self, qvec: np.ndarray, k: int) -> list[tuple[int, float]]:
        if k <= 0 or not self.index.ntotal:
            return []
        scores, ids = self.index.search(np.ascontiguousarray(qvec[None, :], np.float32), k)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]


def index_vectors(index: LoadedIndex) -> np.ndarray:
    n = index.dense.ntotal
    return index.dense.reconstruct_n(0, n) if n else np.zeros((0, 1), np.float32)


def open_dense(settings: Settings, index: LoadedIndex, vectors: np.ndarray) -> DenseBackend:
    if settings.dense_backend == "milvus":
        from core.milvus_backend import MilvusDense  # pymilvus is an optional extra

        return MilvusDense(settings.milvus_uri, index.version, vectors, token=settings.milvus_token)
    return FaissDense(index.dense)
