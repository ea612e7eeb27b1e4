"""Every domain error, in one place. The service maps them to HTTP in one handler."""

from __future__ import annotations


class NotesQAError(Exception):
    """Base class. `code` is stable and machine-readable; the message is safe to show a user."""

    code = "internal_error"
    http_status = 500


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
