"""Typed stage I/O shared by ingest, retrieval, service and eval."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Document:
    """One source file. `doc_id` is the file name: stable across machines and re-ingests."""

    doc_id: str
    text: str
    sha256: str


@dataclass(frozen=True)
class Line:
    """One source line with its character offsets, and why the cleaner dropped it (None = kept)."""

    no: int  # 1-based, as editors and CORPUS.md count
    start: int  # offset of the first character in Document.text
    end: int  # offset just past the last character (newline excluded)
    text: str
    dropped: str | None = None


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage. Offsets point into the original file so citations can point back."""

    chunk_id: str
    doc_id: str
    heading_path: tuple[str, ...]  # (file title, section, question, ...)
    text: str  # the cleaned body, without the heading prefix
    start: int
    end: int
    # True for a heading whose body is empty or a topic seen only in a table of contents:
    # the notes raise it but don't answer it, so it never counts as evidence of coverage.
    hollow: bool = False
    dup_group: str | None = None  # shared by near-duplicate passages across files
    # Reviewed errors of the notes in this passage (corpus/overrides.toml `errata`): (quote,
    # editor's note); an empty quote: the whole passage is wrong. Never used as evidence.
    errata: tuple[tuple[str, str], ...] = ()
    # The list items a passage cut inside a nested list sits under, outermost first, as the
    # file writes them ("    - 2 微调(SFT…)"): what its first lines are points of. Not indexed.
    lead: tuple[str, ...] = ()

    @property
    def prefix(self) -> str:
        return " › ".join(p for p in self.heading_path if p)

    @property
    def indexed_text(self) -> str:
        """What is embedded and BM25-indexed: the heading path helps both scorers (about +4 hit@1)."""
        return f"{self.prefix}\n{self.text}" if self.prefix else self.text

    @property
    def content_hash(self) -> str:
        return sha256_text(self.indexed_text)


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float  # fused score, higher is better
    dense_score: float | None = None  # cosine, when dense search ranked it
    bm25_score: float | None = None
    duplicates: tuple[str, ...] = field(default_factory=tuple)  # chunk ids collapsed into this hit
