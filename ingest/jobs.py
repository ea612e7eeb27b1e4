"""Document jobs and their journal: one JSON file per job under `<documents dir>/.jobs/`.

The journal is what makes a crash visible: a job is written down before it starts, and says
`publishing` (with the version) before the `current` swap. On start-up, a job left unfinished
by a dead process is either completed (its version did go live, only the file move was left)
or reported as `interrupted` (the previous version was kept). It sits next to the documents
so that replicas sharing that volume see every job.
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

Op = Literal["add", "replace", "delete"]
Status = Literal["queued", "indexing", "publishing", "done", "failed", "interrupted"]
UNFINISHED: tuple[Status, ...] = ("queued", "indexing", "publishing")
KEEP_FINISHED = 200  # finished job records kept for GET /jobs; older ones are pruned
# Each store in this process registers its instance id while it runs: a record owned by this
# pid but by a store no longer running was left by an earlier app in the same process.
_LIVE_INSTANCES: set[str] = set()


def new_job_id() -> str:
    return uuid.uuid4().hex[:16]


@dataclass
class Job:
    job_id: str
    op: Op
    doc_id: str
    owner: str  # host:pid:instance of the store that queued it
    sha256: str | None = None  # of the new text, for add/replace
    status: Status = "queued"
    embedded: int = 0  # chunks embedded so far ...
    total: int = 0  # ... of this many that were not in the cache
    error: str | None = None
    index_version: str | None = None
    chunks: int | None = None
    note: str | None = None  # e.g. "completed after a restart"
    created_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)

    @property
    def finished(self) -> bool:
        return self.status not in UNFINISHED

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def owner_id(instance: str) -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{instance}"


def register_instance(instance: str, live: bool) -> None:
    if live:
        _LIVE_INSTANCES.add(instance)
    else:
        _LIVE_INSTANCES.discard(instance)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def owner_gone(owner: str) -> bool | None:
    """True if the process (or store) that owns a job is gone; None if it can't be told (a
    replica on another host: its jobs are its own business)."""
    try:
        host, pid_s, instance = owner.rsplit(":", 2)
        pid = int(pid_s)
    except ValueError:
        return True  # unreadable owner: nobody will ever finish that job
    if host != socket.gethostname():
        return None
    if pid == os.getpid():
        return instance not in _LIVE_INSTANCES
    return not _pid_alive(pid)


class JobJournal:
    def __init__(self, directory: Path) -> None:
        self.dir = directory

    def _path(self, job_id: str) -> Path:
        return self.dir / f"{job_id}.json"

    def save(self, job: Job) -> None:
        """Atomic: a reader (or a crash) sees the old record or the new one, never half."""
        self.dir.mkdir(parents=True, exist_ok=True)
        job.updated_at = time.time()
        tmp = self.dir / f".{job.job_id}.{uuid.uuid4().hex[:6]}.tmp"
        tmp.write_text(json.dumps(job.to_dict(), ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self._path(job.job_id))

    def load(self, job_id: str) -> Job | None:
        if not job_id.isalnum():  # ids are hex: anything else can't name a record
            return None
        try:
            row = json.loads(self._path(job_id).read_text(encoding="utf-8"))
            return Job(**row)
        except (OSError, ValueError, TypeError):
            return None

    def all(self) -> list[Job]:
        if not self.dir.is_dir():
            return []
        jobs = [self.load(p.stem) for p in self.dir.glob("*.json")]
        return sorted((j for j in jobs if j is not None), key=lambda j: j.created_at)

    def prune(self) -> None:
        finished = [j for j in self.all() if j.finished]
        for job in finished[: max(0, len(finished) - KEEP_FINISHED)]:
            self._path(job.job_id).unlink(missing_ok=True)
