"""The client side of practice mode, for the 练习 page: /topics, /practice/question,
/practice/grade and /practice/progress.

Built on the chat client (ui/client.py): same settings, key and friendly errors. A 404 here
is not a broken service but a fact to show (an unknown topic, a question the index no longer
has), so its own message is kept.
"""

from __future__ import annotations

from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from contract.errors import ErrorResponse
from contract.practice import GradeResponse, PracticeQuestion, ProgressResponse, TopicsResponse
from ui.client import ApiError, NotesQAClient, error_from_exception, error_from_response

# A grade checks each key point against the answer, with an embedding for English sentences:
# about a second on a CPU, more under load; the chat's read timeout is for a first token.
GRADE_TIMEOUT_S = 60.0
M = TypeVar("M", bound=BaseModel)


def practice_error(response: httpx.Response) -> ApiError:
    """404 and 422 say something the learner can act on: the API's own words then."""
    if response.status_code in (404, 422):
        try:
            err = ErrorResponse.model_validate(response.json()).error
        except (ValueError, ValidationError):
            return error_from_response(response)
        return ApiError(err.message, code=err.code, status=response.status_code)
    return error_from_response(response)


class PracticeClient(NotesQAClient):
    def _call(self, model: type[M], method: str, path: str, **kw: Any) -> M:
        try:
            with self._client() as client:
                resp = client.request(method, path, **kw)
                if resp.status_code != 200:
                    raise practice_error(resp)
                return model.model_validate(resp.json())
        except (httpx.HTTPError, ValueError) as exc:  # ValidationError is a ValueError
            raise error_from_exception(exc, self.settings.api_url) from exc

    def topics(self) -> TopicsResponse:
        return self._call(TopicsResponse, "GET", "/topics")

    def question(self, user: str, topic: str | None = None) -> PracticeQuestion:
        params = {"user": user, **({"topic": topic} if topic else {})}
        return self._call(PracticeQuestion, "GET", "/practice/question", params=params)

    def grade(self, question_id: str, answer: str, user: str) -> GradeResponse:
        body = {"question_id": question_id, "answer": answer, "user": user}
        return self._call(
            GradeResponse, "POST", "/practice/grade", json=body, timeout=GRADE_TIMEOUT_S
        )

    def progress(self, user: str) -> ProgressResponse:
        return self._call(ProgressResponse, "GET", "/practice/progress", params={"user": user})
