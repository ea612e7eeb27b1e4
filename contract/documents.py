"""Response bodies of /documents and /jobs (errors use the one ErrorResponse shape).

Service-side builders from ingest's records (DocInfo, Job) live in service/documents.py:
the contract imports nothing but pydantic."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from contract.errors import error_responses

DOCUMENT_ERRORS = error_responses(
    (401, "Missing or wrong bearer API key"),
    (403, "A write route on a non-loopback address without NOTESQA_API_KEY"),
    (404, "No such document or job"),
    (409, "The name holds other content (use ?replace=true), ships with the project, "
          "or has a job still running"),
    (413, "The file is larger than NOTESQA_MAX_UPLOAD_BYTES"),
    (415, "A type we don't index, or content that is not what the name says"),
    (422, "Empty or binary file, a bad name, a PDF without a text layer, no file field"),
    (500, "The job failed after it was accepted; the index was not changed"),
    (503, "No index loaded yet"),
)  # fmt: skip


class DocumentOut(BaseModel):
    doc_id: str = Field(description="Stable for a file name: a replace keeps it")
    file: str
    sha256: str = Field(description="Of the text as indexed (line ends normalised)")
    chunks: int
    added_at: str = Field(description="When this content was first indexed")
    source: Literal["corpus", "upload"] = Field(
        description="`corpus`: ships with the project; `upload`: added through the API"
    )


class DocumentList(BaseModel):
    index_version: str
    documents: list[DocumentOut]
    max_upload_bytes: int = Field(description="The largest file POST /documents accepts")


class Indexed(BaseModel):
    """`?wait=true`: the new version is live when this is sent."""

    doc_id: str
    file: str
    sha256: str
    chunks: int
    index_version: str


class Deleted(BaseModel):
    doc_id: str
    deleted: bool = True
    index_version: str


class JobAccepted(BaseModel):
    job_id: str
    doc_id: str
    status: str


class Progress(BaseModel):
    embedded: int = Field(description="Chunks embedded so far")
    total: int = Field(description="Chunks to embed (cached ones are not counted)")


class JobOut(BaseModel):
    job_id: str
    op: Literal["add", "replace", "delete"]
    doc_id: str
    status: Literal["queued", "indexing", "publishing", "done", "failed", "interrupted"]
    progress: Progress
    queue_position: int | None = Field(None, description="1 = next to run; only while queued")
    error: str | None = None
    note: str | None = None
    index_version: str | None = Field(None, description="The version that holds the change")
    chunks: int | None = None
    created_at: float
    updated_at: float


class JobList(BaseModel):
    jobs: list[JobOut]
