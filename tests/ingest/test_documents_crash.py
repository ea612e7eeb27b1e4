"""A process killed mid-job (SIGKILL, no cleanup) leaves a loadable index, documents that match
it, and a journal that says what happened once the next store starts."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from core import index_store
from core.settings import Settings
from ingest.build import build_index
from ingest.documents import DocumentStore
from tests.conftest import ROOT
from tests.fakes import CountingHashEmbedder
from tests.ingest.test_documents import NOTE


def _killed_job(settings: Settings, where: str) -> str:
    (settings.corpus_dir.parent / "note.md").write_text(NOTE, encoding="utf-8")
    args = [str(settings.index_dir), str(settings.corpus_dir), "zorbex.md", where]
    proc = subprocess.run(
        [sys.executable, "-m", "tests.ingest.kill_job", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    return proc.stdout.strip()


@pytest.fixture
def settings(small_corpus: Path, tmp_path: Path) -> Settings:
    s = Settings(corpus_dir=small_corpus, index_dir=tmp_path / "index")
    build_index(s, embedder_factory=CountingHashEmbedder, progress=False)
    return s


def test_kill_between_embedding_and_publish_keeps_old_version(settings: Settings) -> None:
    old = index_store.load_index(settings.index_dir)
    job_id = _killed_job(settings, "before")
    # nothing changed for readers, and the documents dir still matches that version
    assert index_store.load_index(settings.index_dir).version == old.version
    assert not (settings.documents_dir() / "zorbex.md").exists()
    store = DocumentStore(settings, embedder_factory=CountingHashEmbedder)
    assert store.job(job_id).status == "publishing"  # what the dead process last wrote
    settled = store.recover()
    assert [j.job_id for j in settled] == [job_id]
    job = store.job(job_id)
    assert job.status == "interrupted" and "previous index version was kept" in (job.error or "")
    assert not (settings.documents_dir() / ".staging" / job_id).exists()
    assert "zorbex.md" not in {d.doc_id for d in store.documents()}
    assert store.recover() == []  # settled once
    # the vectors it embedded stayed in the cache: a retry embeds nothing
    retry = CountingHashEmbedder()
    store = DocumentStore(settings, embedder_factory=lambda: retry)
    again = store.submit_upload("zorbex.md", NOTE.encode())
    assert store.run(again.job_id).status == "done" and retry.passage_calls == 0  # type: ignore[union-attr]


def test_kill_after_publish_is_completed_on_restart(settings: Settings) -> None:
    job_id = _killed_job(settings, "after")
    live = index_store.load_index(settings.index_dir)
    assert "zorbex.md" in live.manifest["documents"]  # the version went live ...
    assert not (settings.documents_dir() / "zorbex.md").exists()  # ... the move did not
    store = DocumentStore(settings)
    [job] = store.recover()
    assert job.job_id == job_id and job.status == "done" and job.note
    assert (settings.documents_dir() / "zorbex.md").read_text(encoding="utf-8") == NOTE
    # the CLI's view now matches the live version: nothing to rebuild
    report = build_index(settings, embedder_factory=CountingHashEmbedder, progress=False)
    assert not report.published and report.version == live.version


def test_recovery_on_a_read_only_index_does_not_stop_start_up(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_only(*_: object, **__: object) -> None:
        raise PermissionError(13, "Read-only file system")

    monkeypatch.setattr(index_store, "writer_lock", read_only)
    assert DocumentStore(settings).recover() == []
