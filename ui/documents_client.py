"""The client side of /documents and /jobs, for the 文档 page.

Kept apart from the chat client (ui/client.py) but built on it: same settings, key and
friendly errors. The API's messages about a refused file are written for people (they name
the file and the fix), so they are shown as they are.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
from pydantic import ValidationError

from contract.documents import DocumentList, DocumentOut, JobAccepted, JobOut
from contract.errors import ErrorResponse
from ui.client import ApiError, NotesQAClient, error_from_exception, error_from_response

# Without ?wait the API answers as soon as the file is checked and queued.
UPLOAD_TIMEOUT_S = 120.0


def document_error(response: httpx.Response) -> ApiError:
    """A refused upload or delete: the API's own message; the generic wording otherwise."""
    try:
        err = ErrorResponse.model_validate(response.json()).error
    except (ValueError, ValidationError):
        return error_from_response(response)
    if response.status_code == 403:
        return ApiError(
            "This service takes document changes only with an API key: set NOTESQA_API_KEY.",
            code=err.code,
            status=403,
            request_id=err.request_id,
        )
    if 400 <= response.status_code < 500 and response.status_code not in (401, 429):
        return ApiError(err.message, code=err.code, status=response.status_code)
    return error_from_response(response)


class DocumentsClient(NotesQAClient):
    def _call(self, method: str, path: str, ok: tuple[int, ...], **kw: Any) -> httpx.Response:
        try:
            with self._client() as client:
                resp = client.request(method, path, **kw)
                if resp.status_code not in ok:
                    raise document_error(resp)
                return resp
        except httpx.HTTPError as exc:
            raise error_from_exception(exc, self.settings.api_url) from exc

    def documents(self) -> DocumentList:
        return DocumentList.model_validate(self._call("GET", "/documents", (200,)).json())

    def upload(self, name: str, data: bytes, replace: bool = False) -> DocumentOut | JobAccepted:
        """A queued job (202), or the document already indexed with this content (200)."""
        resp = self._call(
            "POST",
            "/documents",
            (200, 202),
            params={"replace": "true"} if replace else {},
            files={"file": (name, data)},
            timeout=UPLOAD_TIMEOUT_S,
        )
        if resp.status_code == 200:
            return DocumentOut.model_validate(resp.json())
        return JobAccepted.model_validate(resp.json())

    def job(self, job_id: str) -> JobOut:
        resp = self._call("GET", f"/jobs/{quote(job_id, safe='')}", (200,))
        return JobOut.model_validate(resp.json())

    def delete(self, doc_id: str) -> JobAccepted:
        resp = self._call("DELETE", f"/documents/{quote(doc_id, safe='')}", (202,))
        return JobAccepted.model_validate(resp.json())
