"""Add, replace and delete uploaded documents while the index keeps serving.

Each change is a job run by one worker thread, under the cross-process writer lock:
build the next version from corpus/ + documents/ with the change applied (only new chunks
are embedded: the cache is keyed by content), publish it atomically, then move the staged file
into (or out of) the documents dir. Readers keep the previous version until the swap. A crash
before the swap leaves the old version and the old documents; after it, recovery finishes the
file move (ingest/recovery.py).
"""

from __future__ import annotations

import logging
import queue
import shutil
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from core import index_store
from core.embedders import Embedder
from core.errors import DocumentConflict, NotesQAError, NotFound
from core.settings import Settings
from ingest import uploads
from ingest.build import build_index
from ingest.catalog import DocInfo, current_manifest, documents_in
from ingest.jobs import UNFINISHED, Job, JobJournal, Op, new_job_id, owner_id
from ingest.jobs import register_instance as _register

log = logging.getLogger(__name__)
STAGING_DIR = ".staging"  # under the documents dir: same filesystem, so the move is a rename
JOURNAL_DIR = ".jobs"


class DocumentStore:
    def __init__(
        self,
        settings: Settings,
        *,
        embedder_factory: Callable[[], Embedder] | None = None,
        on_published: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self.docs_dir = settings.documents_dir()
        self.journal = JobJournal(self.docs_dir / JOURNAL_DIR)
        self._embedder_factory = embedder_factory
        self._on_published = on_published
        self._instance = uuid.uuid4().hex[:8]
        self.owner = owner_id(self._instance)
        self._lock = threading.Lock()  # a submission's checks and its enqueue are one step
        self._pending: dict[str, str] = {}  # doc_id -> job id, queued or running here
        self._order: list[str] = []  # pending job ids, oldest first: the queue positions
        self._done: dict[str, threading.Event] = {}
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    # --- reading ------------------------------------------------------------------------
    def documents(self, manifest: dict[str, Any] | None = None) -> list[DocInfo]:
        return documents_in(manifest or current_manifest(self.settings.index_dir))

    def job(self, job_id: str) -> Job:
        job = self.journal.load(job_id)
        if job is None:
            raise NotFound(f"no job {job_id!r}")
        return job

    def queue_position(self, job_id: str) -> int | None:
        """1 = next to run; None once it runs (or if another process queued it)."""
        with self._lock:
            ids = self._order[1:] if self._running() else self._order
            return ids.index(job_id) + 1 if job_id in ids else None

    def _running(self) -> bool:
        head = self.journal.load(self._order[0]) if self._order else None
        return head is not None and head.status != "queued"

    def jobs(self) -> list[Job]:
        return self.journal.all()

    # --- submitting ---------------------------------------------------------------------
    def submit_upload(self, name: str, data: bytes, replace: bool = False) -> Job | DocInfo:
        """Queue an add/replace job; or, for content already indexed under this name, the
        existing document (nothing re-embedded). Bad input raises before anything is stored."""
        uploads.check_name(name)
        uploads.check_size(len(data), self.settings.max_upload_bytes)
        uploads.sniff(name, data[:16])
        job_id = new_job_id()
        staged = self.docs_dir / STAGING_DIR / job_id / name
        staged.parent.mkdir(parents=True, exist_ok=True)
        try:
            staged.write_bytes(data)
            s = self.settings
            doc = uploads.read_document(staged, name, s.chunk_size, s.chunk_overlap)
            with self._lock:
                existing = self._check_name_free(name, doc.sha256, replace)
                if existing is not None:
                    self.discard_staged(job_id)
                    return existing
                docs = current_manifest(s.index_dir)["documents"]
                op: Op = "replace" if name in docs else "add"
                job = Job(job_id, op, name, self.owner, sha256=doc.sha256)
                self._enqueue(job)
                return job
        except BaseException:
            self.discard_staged(job_id)
            raise

    def submit_delete(self, doc_id: str) -> Job:
        with self._lock:
            docs = current_manifest(self.settings.index_dir)["documents"]
            if doc_id not in docs:
                raise NotFound(f"no document {doc_id!r}")
            if docs[doc_id].get("source", "corpus") == "corpus":
                raise DocumentConflict(
                    f"{doc_id} ships with the project (corpus/): remove it there and run "
                    "`python -m ingest`"
                )
            self._check_not_pending(doc_id)
            job = Job(new_job_id(), "delete", doc_id, self.owner)
            self._enqueue(job)
            return job

    def _check_not_pending(self, doc_id: str) -> None:
        if doc_id in self._pending:
            raise DocumentConflict(
                f"{doc_id}: job {self._pending[doc_id]} on this document is not finished yet"
            )

    def _check_name_free(self, name: str, sha256: str, replace: bool) -> DocInfo | None:
        self._check_not_pending(name)
        manifest = current_manifest(self.settings.index_dir)
        row = manifest["documents"].get(name)
        if row is None:
            if (self.settings.corpus_dir / name).exists():
                raise DocumentConflict(f"{name} is a corpus file not indexed yet: run ingest")
            return None
        if row.get("sha256") == sha256:
            return next(d for d in documents_in(manifest) if d.doc_id == name)
        if row.get("source", "corpus") == "corpus":
            raise DocumentConflict(f"{name} ships with the project (corpus/) and can't be replaced")
        if not replace:
            raise DocumentConflict(
                f"{name} already exists with other content: add ?replace=true to replace it"
            )
        return None

    def _enqueue(self, job: Job) -> None:
        self.journal.save(job)
        self._pending[job.doc_id] = job.job_id
        self._order.append(job.job_id)
        self._done[job.job_id] = threading.Event()
        self._queue.put(job.job_id)

    def wait(self, job_id: str, timeout_s: float | None = None) -> Job:
        event = self._done.get(job_id)
        if event is not None:
            event.wait(timeout_s)
        return self.job(job_id)

    # --- running --------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is None:
            _register(self._instance, True)
            self._thread = threading.Thread(target=self._work, name="document-jobs", daemon=True)
            self._thread.start()

    def stop(self, timeout_s: float = 30.0) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout_s)
        _register(self._instance, False)

    def _work(self) -> None:
        while (job_id := self._queue.get()) is not None:
            try:
                self.run(job_id)
            except Exception:  # never let the worker die: the next job still runs
                log.exception("document job %s failed", job_id)

    def run(self, job_id: str) -> Job:
        job = self.job(job_id)
        try:
            with index_store.writer_lock(self.settings.index_dir):
                self._build(job)
            if self._on_published is not None and job.index_version:
                self._on_published(job.index_version)  # serve it before saying "done"
            job.status = "done"
        except NotesQAError as exc:
            job.status, job.error = "failed", f"{exc} (the index was not changed)"
        except Exception:
            log.exception("document job %s failed", job_id)
            job.status, job.error = "failed", "indexing failed (see the server log)"
        finally:
            self.discard_staged(job_id)
            if job.status in UNFINISHED:  # interrupted by a BaseException: say so
                job.status, job.error = "failed", "stopped while indexing"
            self.journal.save(job)
            with self._lock:
                self._pending.pop(job.doc_id, None)
                if job_id in self._order:
                    self._order.remove(job_id)
            if (event := self._done.pop(job_id, None)) is not None:
                event.set()
            self.journal.prune()
        return job

    def _staged(self, job: Job) -> Path:
        return self.docs_dir / STAGING_DIR / job.job_id / job.doc_id

    def _build(self, job: Job) -> None:
        job.status = "indexing"
        self.journal.save(job)
        if self._settled_meanwhile(job):
            return

        def progress(done: int, total: int) -> None:
            job.embedded, job.total = done, total
            self.journal.save(job)

        def before_publish(version: str) -> None:
            job.status, job.index_version = "publishing", version
            self.journal.save(job)

        report = build_index(
            self.settings,
            embedder_factory=self._embedder_factory,
            progress=False,
            changes={job.doc_id: None if job.op == "delete" else self._staged(job)},
            on_progress=progress,
            before_publish=before_publish,
        )
        self.commit_files(job)
        job.index_version = report.version
        docs = current_manifest(self.settings.index_dir)["documents"]
        job.chunks = int(docs[job.doc_id]["chunks"]) if job.doc_id in docs else 0

    def _settled_meanwhile(self, job: Job) -> bool:
        """Check again under the writer lock: another replica (or the CLI) may have changed
        this document since the job was queued. True when there is nothing left to do."""
        manifest = current_manifest(self.settings.index_dir)
        row = manifest["documents"].get(job.doc_id)
        if job.op == "delete" and row is None:
            raise NotFound(f"{job.doc_id} was deleted by another request meanwhile")
        if job.op != "add" or row is None:
            return False
        if row.get("sha256") != job.sha256:
            raise DocumentConflict(
                f"{job.doc_id} was added by another request meanwhile: use ?replace=true"
            )
        job.index_version, job.chunks = str(manifest["version"]), int(row.get("chunks", 0))
        return True  # the same content is already live

    def commit_files(self, job: Job) -> None:
        """Make the documents dir match the published version: the last step of a job."""
        target = self.docs_dir / job.doc_id
        if job.op == "delete":
            target.unlink(missing_ok=True)
        elif (staged := self._staged(job)).exists():
            self.docs_dir.mkdir(parents=True, exist_ok=True)
            staged.replace(target)

    def discard_staged(self, job_id: str) -> None:
        shutil.rmtree(self.docs_dir / STAGING_DIR / job_id, ignore_errors=True)

    def recover(self) -> list[Job]:
        """Settle the jobs a dead process left unfinished (ingest/recovery.py)."""
        from ingest.recovery import recover

        return recover(self)
