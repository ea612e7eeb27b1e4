"""After a crash: settle the document jobs a dead process left unfinished.

A job whose version went live (the journal says `publishing` and the live manifest holds the
change) only missed the file move: it is completed. Any other is reported `interrupted`; the
previous version was never replaced, and the documents dir was never touched.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from core import index_store
from core.errors import DocumentConflict, IndexCorrupt, IndexNotReady
from ingest.catalog import current_manifest
from ingest.jobs import Job, owner_gone

if TYPE_CHECKING:
    from ingest.documents import DocumentStore

log = logging.getLogger(__name__)


def recover(store: DocumentStore) -> list[Job]:
    """The settled jobs. Needs the writer lock without waiting: a process that holds it is
    alive, and its jobs are its own."""
    settled: list[Job] = []
    index_dir = store.settings.index_dir
    try:
        with index_store.writer_lock(index_dir, wait=False):
            docs = current_manifest(index_dir)["documents"]
            for job in store.journal.all():
                if job.finished or not owner_gone(job.owner):
                    continue
                if job.status == "publishing" and _reflected(job, docs):
                    store.commit_files(job)
                    job.status, job.note = "done", "completed after a restart"
                    job.chunks = int(docs.get(job.doc_id, {}).get("chunks", 0))
                else:
                    job.error = (
                        f"the process stopped during this job ({job.status}); the previous "
                        "index version was kept: submit it again"
                    )
                    job.status = "interrupted"
                store.discard_staged(job.job_id)
                store.journal.save(job)
                log.warning("document job %s %s: %s", job.job_id, job.status, job.doc_id)
                settled.append(job)
    except (DocumentConflict, IndexNotReady, IndexCorrupt):
        pass  # another writer is running, or there is no index yet: nothing to settle now
    except OSError as exc:  # a read-only index volume (a serving-only replica) has no jobs
        log.warning("document jobs not checked: %s", exc.strerror or exc)
    return settled


def _reflected(job: Job, docs: dict[str, Any]) -> bool:
    """Whether the live version already holds the job's change."""
    if job.op == "delete":
        return job.doc_id not in docs
    row = docs.get(job.doc_id)
    return row is not None and row.get("sha256") == job.sha256
