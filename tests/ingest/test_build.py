"""Ingest pipeline: incremental re-ingest, atomic publish, bad input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core import index_store
from core.errors import CorpusError
from core.settings import Settings
from ingest import build as build_mod
from ingest.build import build_index
from tests.conftest import ROOT
from tests.fakes import CountingHashEmbedder

NEW_FILE = (
    "# 新文件\n\n## 1. 一个新问题是什么？\n\n新文件的答案写在这里，内容足够长，是一段完整的回答。\n"
)


def settings_for(corpus: Path, index: Path, **kw: object) -> Settings:
    return Settings(corpus_dir=corpus, index_dir=index, **kw)  # type: ignore[arg-type]


def test_first_build_then_noop(small_corpus: Path, tmp_path: Path) -> None:
    s = settings_for(small_corpus, tmp_path / "idx")
    fake = CountingHashEmbedder()
    first = build_index(s, embedder_factory=lambda: fake, progress=False)
    assert first.published and first.n_chunks > 5
    assert fake.passages_embedded == first.n_chunks - _dupes(tmp_path / "idx")
    loaded = index_store.load_index(tmp_path / "idx")
    assert loaded.version == first.version and len(loaded.chunks) == first.n_chunks
    assert loaded.manifest["embedder"]["dim"] == 64
    assert set(loaded.manifest["documents"]) == {"a.md", "b.md"}

    again = CountingHashEmbedder()
    second = build_index(s, embedder_factory=lambda: again, progress=False)
    assert not second.published and again.passage_calls == 0
    assert second.version == first.version


def _dupes(index: Path) -> int:
    chunks = index_store.load_index(index).chunks
    return len(chunks) - len({c.content_hash for c in chunks})


def test_edit_reembeds_only_that_file_and_delete_drops(small_corpus: Path, tmp_path: Path) -> None:
    s = settings_for(small_corpus, tmp_path / "idx")
    build_index(s, embedder_factory=CountingHashEmbedder, progress=False)
    before = index_store.load_index(tmp_path / "idx")
    b_chunks = [c for c in before.chunks if c.doc_id == "b.md"]

    with (small_corpus / "a.md").open("a", encoding="utf-8") as fh:
        fh.write("\n## 99. 新增的问题是什么？\n\n这是新增的一段答案文字，用来检验增量更新。\n")
    fake = CountingHashEmbedder()
    report = build_index(s, embedder_factory=lambda: fake, progress=False)
    assert report.docs == {"a.md": "changed", "b.md": "unchanged"}
    after = index_store.load_index(tmp_path / "idx")
    new_hashes = {c.content_hash for c in after.chunks} - {c.content_hash for c in before.chunks}
    assert 1 <= fake.passages_embedded == len(new_hashes)
    assert all(c.doc_id == "a.md" for c in after.chunks if c.content_hash in new_hashes)
    assert [c.chunk_id for c in after.chunks if c.doc_id == "b.md"] == [
        c.chunk_id for c in b_chunks
    ]

    (small_corpus / "b.md").unlink()
    fake2 = CountingHashEmbedder()
    report = build_index(s, embedder_factory=lambda: fake2, progress=False)
    assert report.docs["b.md"] == "deleted" and fake2.passage_calls == 0
    assert {c.doc_id for c in index_store.load_index(tmp_path / "idx").chunks} == {"a.md"}


def test_settings_change_forces_rebuild(
    small_corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build_index(
        settings_for(small_corpus, tmp_path / "idx"),
        embedder_factory=CountingHashEmbedder,
        progress=False,
    )
    s2 = settings_for(small_corpus, tmp_path / "idx", chunk_size=400, chunk_overlap=80)
    report = build_index(s2, embedder_factory=CountingHashEmbedder, progress=False)
    assert report.published and report.rebuild_reason and "chunker" in report.rebuild_reason
    assert "settings changed" in capsys.readouterr().err
    assert index_store.load_index(tmp_path / "idx").manifest["chunker"]["chunk_size"] == 400


def test_crash_mid_build_keeps_previous_index(
    small_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = settings_for(small_corpus, tmp_path / "idx")
    first = build_index(s, embedder_factory=CountingHashEmbedder, progress=False)
    (small_corpus / "c.md").write_text(NEW_FILE, encoding="utf-8")

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(build_mod.index_store, "write_version", boom)
    with pytest.raises(OSError):
        build_index(s, embedder_factory=CountingHashEmbedder, progress=False)
    loaded = index_store.load_index(tmp_path / "idx")
    assert loaded.version == first.version
    assert not [
        p for p in (tmp_path / "idx" / "versions").iterdir() if p.name.startswith(".staging")
    ]


def test_killed_process_mid_build_keeps_previous_index(small_corpus: Path, tmp_path: Path) -> None:
    """A real SIGKILL while the embedder runs: the old index must still load."""
    s = settings_for(small_corpus, tmp_path / "idx")
    first = build_index(s, embedder_factory=CountingHashEmbedder, progress=False)
    (small_corpus / "c.md").write_text(NEW_FILE, encoding="utf-8")
    script = (
        "import os, signal\n"
        "from core.settings import Settings\n"
        "from ingest.build import build_index\n"
        "from tests.fakes import CountingHashEmbedder\n"
        "class Dying(CountingHashEmbedder):\n"
        "    def embed_passages(self, texts):\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        f"build_index(Settings(corpus_dir={str(small_corpus)!r}, index_dir={str(tmp_path / 'idx')!r}),"
        " embedder_factory=Dying, progress=False)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, timeout=120
    )
    assert proc.returncode == -9
    assert index_store.load_index(tmp_path / "idx").version == first.version


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("zero.txt", b"", "empty file"),
        ("bin.txt", b"\x00\x01\x02binary\x00" * 10, "binary"),
        ("latin.txt", bytes(range(0x80, 0x100)) * 4, "not UTF-8"),
    ],
)
def test_bad_input_fails_cleanly(
    small_corpus: Path, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    s = settings_for(small_corpus, tmp_path / "idx")
    first = build_index(s, embedder_factory=CountingHashEmbedder, progress=False)
    (small_corpus / name).write_bytes(content)
    with pytest.raises(CorpusError, match=message):
        build_index(s, embedder_factory=CountingHashEmbedder, progress=False)
    assert index_store.load_index(tmp_path / "idx").version == first.version


def test_gb18030_file_is_decoded(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "gb.txt").write_bytes(
        "## 1. 什么是复读机问题？\n\n模型重复生成相同的句子。\n".encode("gb18030")
    )
    report = build_index(
        settings_for(corpus, tmp_path / "idx"),
        embedder_factory=CountingHashEmbedder,
        progress=False,
    )
    assert report.published
    texts = " ".join(c.indexed_text for c in index_store.load_index(tmp_path / "idx").chunks)
    assert "重复生成" in texts


def test_cli_bad_input_is_one_line_no_traceback(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {**os.environ, "NOTESQA_INDEX_DIR": str(tmp_path / "idx")}
    proc = subprocess.run(
        [sys.executable, "-m", "ingest", "--corpus", str(empty), "--quiet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "no .txt, .md or .pdf" in proc.stderr
    bad = subprocess.run(
        [sys.executable, "-m", "ingest", "--chunk-size", "5"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert bad.returncode == 2 and "chunk_size" in bad.stderr and "Traceback" not in bad.stderr
