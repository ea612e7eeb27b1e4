"""Run one upload job and SIGKILL this process at a chosen point (a subprocess of
test_documents_crash.py): `python -m tests.ingest.kill_job INDEX CORPUS NAME before|after`.

before: after embedding, the moment the new version would be published.
after: just after the publish, before the file is moved into the documents dir.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from core import index_store
from core.settings import Settings
from ingest.documents import DocumentStore
from ingest.jobs import Job
from tests.fakes import CountingHashEmbedder


def _die(*_: object) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def main() -> None:
    index, corpus, name, where = sys.argv[1:5]
    store = DocumentStore(
        Settings(index_dir=Path(index), corpus_dir=Path(corpus)),
        embedder_factory=CountingHashEmbedder,
    )
    job = store.submit_upload(name, Path(corpus).parent.joinpath("note.md").read_bytes())
    assert isinstance(job, Job)
    print(job.job_id, flush=True)
    if where == "before":
        index_store.publish = _die  # type: ignore[assignment]
    else:
        store.commit_files = _die  # type: ignore[method-assign]
    store.run(job.job_id)
    raise SystemExit("not killed")


if __name__ == "__main__":
    main()
