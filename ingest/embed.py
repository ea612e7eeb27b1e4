"""Vectors for every chunk, embedding only text no earlier run has seen.

A chunk's vector is looked up by its content hash: first in the previous index, then in the
embedding cache; only what neither holds reaches the embedder, in batches that are cached as
they finish, so a crash loses at most one batch of work.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from tqdm import tqdm

from core import index_store
from core.embedders import Embedder
from core.embedding_cache import EmbeddingCache
from core.errors import IndexCorrupt
from core.settings import Settings
from core.types import Chunk

# (chunks embedded so far, chunks to embed): a document job shows it as its progress
ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True)
class Vectors:
    matrix: np.ndarray  # one row per chunk, in chunk order
    embedded: int  # texts sent to the embedder this run
    reused: int  # texts whose vector came from the cache or the previous index
    dim: int
    embedder_name: str


def embed_chunks(
    chunks: list[Chunk],
    settings: Settings,
    prev: index_store.LoadedIndex | None,
    rebuild: bool,
    embedder_factory: Callable[[], Embedder],
    progress: bool,
    on_progress: ProgressFn | None = None,
) -> Vectors:
    """The embedder is built only when some text is new, so an unchanged corpus loads no model."""
    hashes = [c.content_hash for c in chunks]
    known: dict[str, np.ndarray] = {}
    name = settings.embedder
    cache = EmbeddingCache(settings.index_dir / "cache" / "embeddings.sqlite", settings.embedder)
    try:
        if not rebuild:  # --rebuild re-embeds everything: the way out of a bad cache
            if prev is not None:  # the previous index's vectors are as good as cached ones
                name = prev.manifest["embedder"]["name"]
                for i, c in enumerate(prev.chunks):
                    known[c.content_hash] = prev.dense.reconstruct(i)
            known.update(cache.get_many([h for h in set(hashes) if h not in known]))
        missing = sorted({h for h in hashes if h not in known})
        if on_progress is not None:
            on_progress(0, len(missing))
        if missing:
            embedder = embedder_factory()
            name = embedder.name
            text_of = {c.content_hash: c.indexed_text for c in chunks}
            bar = tqdm(
                total=len(missing),
                desc="embedding",
                unit="chunk",
                disable=not progress,
                file=sys.stderr,
            )
            for start in range(0, len(missing), settings.embed_batch_size):
                batch = missing[start : start + settings.embed_batch_size]
                fresh = dict(
                    zip(batch, embedder.embed_passages([text_of[h] for h in batch]), strict=True)
                )
                cache.put_many(fresh)  # per batch: a crash loses at most one batch of work
                known.update(fresh)
                bar.update(len(batch))
                if on_progress is not None:
                    on_progress(min(start + len(batch), len(missing)), len(missing))
            bar.close()
    finally:
        cache.close()
    if not hashes:
        return Vectors(np.zeros((0, 0), np.float32), 0, 0, 0, name)
    dims = {known[h].shape[0] for h in hashes}
    if len(dims) != 1:
        raise IndexCorrupt(
            f"embedding cache holds vectors of mixed sizes {sorted(dims)}: run with --rebuild"
        )
    matrix = np.stack([known[h] for h in hashes]).astype(np.float32)
    reused = len(set(hashes)) - len(missing)
    return Vectors(matrix, len(missing), reused, int(matrix.shape[1]), name)
