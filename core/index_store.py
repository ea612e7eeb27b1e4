"""The on-disk index: versioned directories behind an atomically swapped `current` symlink.

index/
  current -> versions/<version>       (os.replace of a symlink: readers never see a half)
  versions/<version>/manifest.json, chunks.jsonl, dense.faiss, bm25/
  cache/embeddings.sqlite              (vectors by content hash, survives rebuilds)
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import bm25s
import faiss
import numpy as np

from core.errors import DocumentConflict, IndexCorrupt, IndexNotReady
from core.types import Chunk

MANIFEST = "manifest.json"
CHUNKS = "chunks.jsonl"
DENSE = "dense.faiss"
BM25_DIR = "bm25"
REQUIRED = (MANIFEST, CHUNKS, DENSE, BM25_DIR)
KEEP_VERSIONS = 3  # a reader that loaded an older version keeps working while it finishes


def chunk_to_json(chunk: Chunk) -> str:
    row = asdict(chunk)
    row["heading_path"] = list(chunk.heading_path)
    row["lead"] = list(chunk.lead)
    return json.dumps(row, ensure_ascii=False)


def chunk_from_json(line: str) -> Chunk:
    row = json.loads(line)
    row["heading_path"] = tuple(row["heading_path"])
    row["errata"] = tuple((q, n) for q, n in row.get("errata", ()))  # older indexes: none
    row["lead"] = tuple(row.get("lead", ()))
    return Chunk(**row)


@dataclass(frozen=True)
class LoadedIndex:
    version: str
    path: Path
    manifest: dict[str, Any]
    chunks: tuple[Chunk, ...]
    dense: Any  # faiss.Index
    bm25: bm25s.BM25
    warnings: tuple[str, ...] = ()


def current_pointer(index_dir: Path) -> Path:
    return index_dir / "current"


def current_version_dir(index_dir: Path) -> Path | None:
    pointer = current_pointer(index_dir)
    if not pointer.is_symlink() and not pointer.exists():
        return None
    target = pointer.resolve()
    return target if target.is_dir() else None


def read_manifest(version_dir: Path) -> dict[str, Any]:
    path = version_dir / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexCorrupt(f"index file {path} is unreadable or not JSON") from exc
    if not isinstance(data, dict) or "version" not in data:
        raise IndexCorrupt(f"index file {path} is not a manifest")
    return data


def _load_version(version_dir: Path) -> LoadedIndex:
    for name in REQUIRED:
        if not (version_dir / name).exists():
            raise IndexCorrupt(f"index file {version_dir / name} is missing")
    manifest = read_manifest(version_dir)
    chunks_path = version_dir / CHUNKS
    try:
        with chunks_path.open(encoding="utf-8") as fh:
            chunks = tuple(chunk_from_json(line) for line in fh if line.strip())
    except (OSError, ValueError, TypeError) as exc:
        raise IndexCorrupt(f"index file {chunks_path} is corrupt") from exc
    dense_path = version_dir / DENSE
    try:
        dense = faiss.read_index(str(dense_path))
    except Exception as exc:  # faiss raises RuntimeError with C++ text; keep it out of messages
        raise IndexCorrupt(f"index file {dense_path} is corrupt or truncated") from exc
    try:
        bm25 = bm25s.BM25.load(str(version_dir / BM25_DIR), show_progress=False)
    except Exception as exc:
        raise IndexCorrupt(f"index file {version_dir / BM25_DIR} is corrupt") from exc
    if dense.ntotal != len(chunks) or manifest.get("n_chunks") != len(chunks):
        raise IndexCorrupt(
            f"index files in {version_dir} disagree: {dense.ntotal} vectors, {len(chunks)} chunks"
        )
    return LoadedIndex(manifest["version"], version_dir, manifest, chunks, dense, bm25)


def load_index(index_dir: Path) -> LoadedIndex:
    """Load `current`; if it is corrupt, fall back to the newest good older version."""
    current = current_version_dir(index_dir)
    if current is None:
        raise IndexNotReady(f"no index at {index_dir}: run `python -m ingest` first")
    try:
        return _load_version(current)
    except IndexCorrupt as first:
        versions = index_dir / "versions"
        others = sorted(
            (
                p
                for p in versions.iterdir()
                if p.is_dir() and p != current and not p.name.startswith(".")
            ),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for candidate in others:
            try:
                loaded = _load_version(candidate)
            except IndexCorrupt:
                continue
            note = f"{first}; using last good index {candidate.name}"
            return LoadedIndex(**{**loaded.__dict__, "warnings": (note,)})
        raise


def new_staging_dir(index_dir: Path) -> Path:
    staging = index_dir / "versions" / f".staging-{uuid.uuid4().hex[:8]}"
    staging.mkdir(parents=True)
    return staging


def write_version(
    staging: Path,
    manifest: dict[str, Any],
    chunks: list[Chunk],
    vectors: np.ndarray,
    bm25: bm25s.BM25,
) -> None:
    with (staging / CHUNKS).open("w", encoding="utf-8") as fh:
        for chunk in chunks:
            fh.write(chunk_to_json(chunk) + "\n")
    dense = faiss.IndexFlatIP(int(manifest["embedder"]["dim"]))  # exact: a few thousand chunks
    if len(vectors):
        dense.add(np.ascontiguousarray(vectors, dtype=np.float32))
    faiss.write_index(dense, str(staging / DENSE))
    bm25.save(str(staging / BM25_DIR), show_progress=False)
    # The manifest goes last: its presence marks a complete version.
    tmp = staging / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    with tmp.open("rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, staging / MANIFEST)


def publish(index_dir: Path, staging: Path, version: str) -> Path:
    """Rename the finished staging dir into place, then swap the `current` symlink atomically."""
    final = index_dir / "versions" / version
    if final.exists():
        shutil.rmtree(final)
    os.replace(staging, final)
    tmp_link = index_dir / f".current-{uuid.uuid4().hex[:8]}"
    os.symlink(os.path.join("versions", version), tmp_link)
    os.replace(tmp_link, current_pointer(index_dir))
    _prune(index_dir, keep=final)
    return final


def _prune(index_dir: Path, keep: Path) -> None:
    versions = sorted(
        (
            p
            for p in (index_dir / "versions").iterdir()
            if p.is_dir() and not p.name.startswith(".")
        ),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in versions[KEEP_VERSIONS:]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)


def discard_staging(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)


WRITER_LOCK = ".writer.lock"


@contextlib.contextmanager
def writer_lock(index_dir: Path, wait: bool = True) -> Iterator[None]:
    """One writer at a time across processes (the CLI, API replicas on a shared volume): an
    flock on a file in the index dir, released by the kernel if the holder dies."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / WRITER_LOCK).open("a") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError as exc:
            raise DocumentConflict("another process is updating the index") from exc
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
