"""The documents an index is built from: the shipped corpus/ plus the uploaded documents dir.

Both the CLI and the API build from this one list, so they never disagree. `changes` lets a
document job build the next version with its upload (or deletion) applied before the file is
moved into the documents dir: the dir only changes once that version is published.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from core.errors import CorpusError
from core.types import Document
from ingest.load import SUFFIXES, load_document

Origin = Literal["corpus", "upload"]
# Staging files and job records live under dot-dirs of the documents dir; never indexed.
HIDDEN_PREFIX = "."


@dataclass(frozen=True)
class SourceSet:
    documents: list[Document]
    origin: dict[str, Origin]  # doc_id -> where the file lives


def _files(directory: Path) -> list[Path]:
    return sorted(
        p
        for p in directory.iterdir()
        if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith(HIDDEN_PREFIX)
    )


def load_sources(
    corpus_dir: Path,
    docs_dir: Path | None,
    changes: Mapping[str, Path | None] | None = None,
) -> SourceSet:
    """Every document to index. `changes`: doc_id -> staged file (add/replace) or None (delete),
    applied over the documents dir."""
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus directory {corpus_dir} does not exist")
    corpus = _files(corpus_dir)
    uploads = {p.name: p for p in _files(docs_dir)} if docs_dir and docs_dir.is_dir() else {}
    for doc_id, staged in (changes or {}).items():
        if staged is None:
            uploads.pop(doc_id, None)
        else:
            uploads[doc_id] = staged
    clash = sorted({p.name for p in corpus} & set(uploads))
    if clash:
        raise CorpusError(f"{clash[0]}: in both the corpus and the documents directory")
    if not corpus and not uploads:
        raise CorpusError(f"corpus directory {corpus_dir} has no .txt, .md or .pdf files")
    origin: dict[str, Origin] = {p.name: "corpus" for p in corpus}
    docs = [load_document(p) for p in corpus]
    for doc_id in sorted(uploads):
        doc = load_document(uploads[doc_id])
        # a staged file may sit under another name on disk; the id is the uploaded name
        docs.append(Document(doc_id=doc_id, text=doc.text, sha256=doc.sha256))
        origin[doc_id] = "upload"
    return SourceSet(docs, origin)
