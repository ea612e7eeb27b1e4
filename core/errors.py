"""Every domain error, in one place. The service maps them to HTTP in one handler."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class NotesQAError(Exception):
    """Base class. `code` is stable and machine-readable; the message is safe to show a user."""

    code = "internal_error"
    http_status = 500


class WithSources(Exception):
    """A failure after retrieval (the generator busy, down or slow): the client still gets the
    passages that were found. `sources` are the API's Source models, passed through untouched."""

    def __init__(self, error: NotesQAError, sources: Sequence[Any]) -> None:
        super().__init__(str(error))
        self.error = error
        self.sources = list(sources)


class BadInput(NotesQAError):
    code = "bad_input"
    http_status = 422


class CorpusError(NotesQAError):
    """The corpus can't be ingested: empty, unreadable, binary or undecodable."""

    code = "corpus_error"
    http_status = 500


class IndexNotReady(NotesQAError):
    code = "index_not_ready"
    http_status = 503


class IndexCorrupt(NotesQAError):
    code = "index_corrupt"
    http_status = 503


class SettingsMismatch(NotesQAError):
    """The index on disk was built with other settings than the current ones."""

    code = "settings_mismatch"
    http_status = 503


class EmbedderUnavailable(NotesQAError):
    code = "embedder_unavailable"
    http_status = 503


class GeneratorUnavailable(NotesQAError):
    code = "generator_unavailable"
    http_status = 503


class GeneratorTimeout(NotesQAError):
    code = "generator_timeout"
    http_status = 504


class GeneratorBusy(NotesQAError):
    code = "generator_busy"
    http_status = 429

    def __init__(self, message: str, retry_after_s: int = 5) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class Unauthorized(NotesQAError):
    code = "unauthorized"
    http_status = 401


class NotFound(NotesQAError):
    code = "not_found"
    http_status = 404


class Forbidden(NotesQAError):
    code = "forbidden"
    http_status = 403


class ProgressStoreUnavailable(NotesQAError):
    """Practice progress can't be read or written (a read-only disk, a locked database)."""

    code = "progress_store_unavailable"
    http_status = 503


class DocumentConflict(NotesQAError):
    """The name is taken by other content, a shipped file, or a job still pending on it."""

    code = "document_conflict"
    http_status = 409


class BadDocument(BadInput):
    """An upload that can't be indexed: empty, binary, a bad name, a PDF without text."""

    code = "bad_document"


class UnsupportedDocument(BadInput):
    """A suffix we don't index, or content that is not what the name says."""

    code = "unsupported_document"
    http_status = 415


class DocumentTooLarge(BadInput):
    code = "document_too_large"
    http_status = 413


class JobFailed(NotesQAError):
    """A document job failed after it was accepted (embedder, disk): the index is unchanged."""

    code = "job_failed"
    http_status = 500
