"""Hand-written fakes for the edges: a deterministic embedder that counts its calls."""

from __future__ import annotations

import hashlib

import numpy as np


class CountingHashEmbedder:
    """Character-bigram hashing: similar text gets similar vectors, with no model to load."""

    name = "fake/bigram-hash"
    dim = 64

    def __init__(self) -> None:
        self.passage_calls = 0
        self.passages_embedded = 0

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, np.float32)
        for a, b in zip(text, text[1:], strict=False):
            h = int.from_bytes(hashlib.blake2b((a + b).encode(), digest_size=4).digest(), "little")
            v[h % self.dim] += 1.0
        n = np.linalg.norm(v)
        return v / n if n else v

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.passage_calls += 1
        self.passages_embedded += len(texts)
        return np.stack([self._vec(t) for t in texts]) if texts else np.zeros((0, self.dim))

    def embed_query_vector(self, text: str) -> np.ndarray:
        return self._vec(text)
