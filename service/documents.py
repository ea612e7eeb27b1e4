"""/documents and /jobs: add, replace and delete notes while /ask and /search keep answering.

Writes go to the DocumentStore (ingest/documents.py): a job per change, one at a time, each
publishing a new index version that this process loads before calling the job done. Write
routes need the API key when one is set; without one, they are open only while the service
listens on a loopback address (anyone who can reach a public port could rewrite the notes).
"""

from __future__ import annotations

import asyncio
import ipaddress
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, File, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials

from contract.documents import (
    DOCUMENT_ERRORS,
    Deleted,
    DocumentList,
    DocumentOut,
    Indexed,
    JobAccepted,
    JobList,
    JobOut,
    Progress,
)
from core.embedders import Embedder, build_embedder
from core.errors import Forbidden, IndexNotReady, JobFailed, NotesQAError
from core.settings import Settings
from ingest.catalog import DocInfo, current_manifest
from ingest.documents import DocumentStore
from ingest.jobs import Job
from service.index_holder import IndexHolder
from service.security import ApiKey, _bearer, require_api_key

# ?wait=true holds the request this long at most, then answers 202 with the job to poll: a
# 50 KB note indexes in well under a minute on 2 cores (docs/benchmarks.md), a long queue
# of them may not.
WAIT_TIMEOUT_S = 300.0
RECENT_JOBS = 50  # GET /jobs lists this many, newest first
# Multipart framing around the file: boundaries and part headers, a few hundred bytes.
MULTIPART_SLACK_BYTES = 64_000


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def require_writer(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    settings: Settings = request.app.state.settings
    if settings.api_key:
        await require_api_key(request, credentials)
    elif not is_loopback(settings.host):
        raise Forbidden(
            "changing documents needs NOTESQA_API_KEY when the service listens on "
            f"{settings.host} (a non-loopback address)"
        )


Writer = Annotated[None, Depends(require_writer)]


def upload_body_limit(settings: Settings) -> dict[str, int]:
    """Per-path body limits for BodyLimitMiddleware: uploads may be far bigger than a question."""
    return {"/documents": settings.max_upload_bytes + MULTIPART_SLACK_BYTES}


def _store(request: Request) -> DocumentStore:
    return request.app.state.documents  # type: ignore[no-any-return]


def _served_manifest(request: Request) -> dict[str, Any]:
    """The manifest of the version this process serves: the list matches what /search sees."""
    holder: IndexHolder = request.app.state.holder
    try:
        index = getattr(holder.get(), "index", None)
    except IndexNotReady:
        index = None
    manifest = getattr(index, "manifest", None)
    return manifest if isinstance(manifest, dict) else current_manifest(holder.settings.index_dir)


async def _finish(store: DocumentStore, job: Job, wait: bool) -> Job | None:
    if not wait:
        return None
    done = await asyncio.to_thread(store.wait, job.job_id, WAIT_TIMEOUT_S)
    if done.status in ("failed", "interrupted"):
        raise JobFailed(f"job {done.job_id} failed: {done.error}")
    return done if done.status == "done" else None  # still running: answer 202


def _accepted(job: Job) -> JSONResponse:
    body = JobAccepted(job_id=job.job_id, doc_id=job.doc_id, status=job.status)
    return JSONResponse(body.model_dump(), 202, {"Location": f"/jobs/{job.job_id}"})


def document_out(doc: DocInfo) -> DocumentOut:
    return DocumentOut.model_validate(doc.__dict__)


def job_out(job: Job, position: int | None = None) -> JobOut:
    """A job as the API shows it: the queue position only while queued, the version once done."""
    return JobOut(
        job_id=job.job_id,
        op=job.op,
        doc_id=job.doc_id,
        status=job.status,
        progress=Progress(embedded=job.embedded, total=job.total),
        queue_position=position if job.status == "queued" else None,
        error=job.error,
        note=job.note,
        index_version=job.index_version if job.status == "done" else None,
        chunks=job.chunks,
        created_at=job.created_at,
        updated_at=job.updated_at,
    )


def documents_router() -> APIRouter:
    router = APIRouter(tags=["documents"], responses=DOCUMENT_ERRORS)

    @router.get("/documents", summary="Every indexed document, shipped or uploaded")
    async def list_documents(request: Request, _: ApiKey) -> DocumentList:
        manifest = await asyncio.to_thread(_served_manifest, request)
        docs = _store(request).documents(manifest)
        return DocumentList(
            index_version=str(manifest["version"]),
            documents=[document_out(d) for d in docs],
            max_upload_bytes=request.app.state.settings.max_upload_bytes,
        )

    @router.post(
        "/documents",
        summary="Add (or with ?replace=true replace) a .md, .txt or .pdf note",
        status_code=202,
        responses={
            200: {"model": DocumentOut, "description": "Same content already indexed"},
            201: {"model": Indexed, "description": "?wait=true: indexed and live"},
            202: {"model": JobAccepted, "description": "Queued: poll GET /jobs/{job_id}"},
        },
    )
    async def add_document(
        request: Request,
        _: Writer,
        file: Annotated[UploadFile, File(description="the note: .md, .txt or .pdf")],
        replace: Annotated[bool, Query(description="replace a document of this name")] = False,
        wait: Annotated[bool, Query(description="answer once the new version is live")] = False,
    ) -> Response:
        store = _store(request)
        data = await file.read(store.settings.max_upload_bytes + 1)  # +1: detect "too large"
        name = file.filename or ""
        out = await asyncio.to_thread(store.submit_upload, name, data, replace)
        if isinstance(out, DocInfo):
            return JSONResponse(document_out(out).model_dump(), 200)
        done = await _finish(store, out, wait)
        if done is None:
            return _accepted(out)
        body = Indexed(
            doc_id=done.doc_id,
            file=done.doc_id,
            sha256=done.sha256 or "",
            chunks=done.chunks or 0,
            index_version=done.index_version or "",
        )
        return JSONResponse(body.model_dump(), 201)

    @router.delete(
        "/documents/{doc_id}",
        summary="Delete an uploaded document from every store",
        status_code=202,
        responses={
            200: {"model": Deleted, "description": "?wait=true: gone from the live version"},
            202: {"model": JobAccepted, "description": "Queued: poll GET /jobs/{job_id}"},
        },
    )
    async def delete_document(
        request: Request,
        doc_id: str,
        _: Writer,
        wait: Annotated[bool, Query(description="answer once the new version is live")] = False,
    ) -> Response:
        store = _store(request)
        job = await asyncio.to_thread(store.submit_delete, doc_id)
        done = await _finish(store, job, wait)
        if done is None:
            return _accepted(job)
        body = Deleted(doc_id=done.doc_id, index_version=done.index_version or "")
        return JSONResponse(body.model_dump(), 200)

    @router.get("/jobs/{job_id}", summary="A document job: status, progress, error")
    async def get_job(request: Request, job_id: str, _: ApiKey) -> JobOut:
        store = _store(request)
        job = await asyncio.to_thread(store.job, job_id)
        return job_out(job, store.queue_position(job_id))

    @router.get("/jobs", summary="Recent document jobs, newest first (interrupted ones too)")
    async def list_jobs(request: Request, _: ApiKey) -> JobList:
        store = _store(request)
        jobs = (await asyncio.to_thread(store.jobs))[::-1][:RECENT_JOBS]
        return JobList(jobs=[job_out(j, store.queue_position(j.job_id)) for j in jobs])

    return router


def install(app: FastAPI, settings: Settings, holder: IndexHolder) -> DocumentStore:
    """Create the store (jobs publish, then this process loads the new version) and routes."""

    def embedder() -> Embedder:
        # The served retriever's embedder: loaded once, and the one queries use.
        try:
            current = getattr(holder.get(), "embedder", None)
        except NotesQAError:
            current = None
        return current or build_embedder(settings.embedder, settings.embed_threads)

    def load_now(_version: str) -> None:
        holder.check_once()  # don't wait for the watcher's next tick

    store = DocumentStore(settings, embedder_factory=embedder, on_published=load_now)
    app.state.documents = store
    app.include_router(documents_router())
    return store
