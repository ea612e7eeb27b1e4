"""The document list of a published index, read from its manifest: what /documents shows."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core import index_store
from core.errors import IndexNotReady


@dataclass(frozen=True)
class DocInfo:
    doc_id: str
    file: str
    sha256: str
    chunks: int
    added_at: str
    source: str  # "corpus" (ships with the project) or "upload"


def documents_in(manifest: dict[str, Any]) -> list[DocInfo]:
    return [
        DocInfo(
            doc_id=doc_id,
            file=doc_id,
            sha256=str(row.get("sha256", "")),
            chunks=int(row.get("chunks", 0)),
            added_at=str(row.get("added_at") or manifest.get("created_at", "")),
            source=str(row.get("source", "corpus")),  # older manifests: corpus only
        )
        for doc_id, row in sorted(manifest.get("documents", {}).items())
    ]


def current_manifest(index_dir: Path) -> dict[str, Any]:
    version_dir = index_store.current_version_dir(index_dir)
    if version_dir is None:
        raise IndexNotReady(f"no index at {index_dir}: run `python -m ingest` first")
    return index_store.read_manifest(version_dir)
