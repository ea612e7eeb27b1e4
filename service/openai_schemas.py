"""Bodies of the OpenAI-compatible routes (/v1/...), and OpenAI's error shape.

Requests are lenient where chat clients differ (unknown fields such as `temperature`,
`presence_penalty` or `stream_options` are accepted and ignored: the server's own settings
decide generation); responses follow the OpenAI chat-completions format, plus `citations`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from contract.ask import Source

OPENAI_PREFIX = "/v1/"
MODEL_ID = "notes-qa"
MODEL_CREATED = 1735689600  # 2025-01-01: a fixed, harmless timestamp for /v1/models

# OpenAI's `type` per HTTP status; the OpenAI clients pick their exception class by status.
_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    429: "rate_limit_error",
}
# A few of our codes have a well-known OpenAI equivalent that clients show nicely.
_ERROR_CODES = {"unauthorized": "invalid_api_key", "generator_busy": "rate_limit_exceeded"}


def is_openai_path(path: str) -> bool:
    return path.startswith(OPENAI_PREFIX)


def openai_status(status: int) -> int:
    """OpenAI answers bad input with 400, where the rest of this API says 422."""
    return 400 if status == 422 else status


def openai_error_body(
    status: int, code: str, message: str, sources: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """`{"error": {"message", "type", "param", "code"}}`; generator failures add `sources`."""
    kind = _ERROR_TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    body: dict[str, Any] = {
        "error": {
            "message": message,
            "type": kind,
            "param": None,
            "code": _ERROR_CODES.get(code, code),
        }
    }
    if sources is not None:
        body["sources"] = sources
    return body


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        """The message's text; multi-part content (as some clients send) joins its text parts."""
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "".join(p.text or "" for p in self.content if p.type == "text")


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "model": MODEL_ID,
                    "messages": [{"role": "user", "content": "LoRA 的原理是什么？"}],
                    "stream": False,
                }
            ]
        },
    )

    model: str = Field(MODEL_ID, description=f"Any value is accepted; answers come as {MODEL_ID}.")
    messages: list[ChatMessage] = Field(
        min_length=1,
        description="The last message must be the user's question; earlier ones are history.",
    )
    stream: bool | None = False
    n: int | None = Field(None, description="Only 1 is supported.")


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    index: int = 0
    message: AssistantMessage
    finish_reason: Literal["stop"] = "stop"


class ChatCompletion(BaseModel):
    """OpenAI's chat.completion, plus where the answer came from."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str = MODEL_ID
    choices: list[Choice]
    citations: list[Source] = Field(description="The passages the answer cites, by [n].")
    refused: bool = Field(description="true when the notes do not answer the question.")
    index_version: str


class ModelCard(BaseModel):
    id: str = MODEL_ID
    object: Literal["model"] = "model"
    created: int = MODEL_CREATED
    owned_by: str = "notes-qa"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]
