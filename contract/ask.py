"""/ask and /search: the request, the answer, its sources, and the stream's event names.

Input limits live here, so bad input never reaches a stage, and a client can bound its input
by the same numbers.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, field_validator

from contract.practice import RelatedQuestion

# Why an answer is a refusal: the one list (the service and the eval's tallies read it here).
RefusalReason = Literal["no_evidence", "missing_terms", "missing_kind", "notes_wrong", "model"]

MAX_QUESTION_CHARS = 2000
MAX_HISTORY_TURNS = 20
MAX_TURN_CHARS = 4000  # a pasted earlier answer fits; a pasted book does not
MAX_TOP_K = 20
# Response header on /ask, /search, /info and /v1/chat/completions: the index version that
# answered, so a client can tell answers from before and after a re-ingest apart.
INDEX_HEADER = "X-Index-Version"

EXAMPLE_SOURCE: dict[str, Any] = {
    "n": 1,
    "chunk_id": "4c1f0a9e7b2d3856",
    "file": "notes.md",
    "heading_path": ["大语言模型基础", "prefix LM 和 causal LM 区别是什么？"],
    "start": 2310,
    "end": 2871,
    "text": "Prefix LM（前缀语言模型）和Causal LM（因果语言模型）是两种不同…",
    "score": 0.93,
    "duplicates": [],
}


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty or whitespace only")
    return value


class HistoryTurn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant"]
    content: Annotated[StrictStr, Field(max_length=MAX_TURN_CHARS)]


class AskRequest(BaseModel):
    # Unknown fields are an error, not silently ignored: a typo like "topk" should be loud.
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"question": "prefix LM 和 causal LM 的区别是什么？", "top_k": 5, "stream": False},
                {
                    "question": "那它的缺点呢？",
                    "history": [
                        {"role": "user", "content": "LoRA 是什么？"},
                        {"role": "assistant", "content": "LoRA 是一种参数高效微调方法[1]。"},
                    ],
                },
            ]
        },
    )

    # Strict: a number or a list is not a question (no silent str() coercion).
    question: Annotated[StrictStr, Field(min_length=1, max_length=MAX_QUESTION_CHARS)]
    top_k: Annotated[int | None, Field(ge=1, le=MAX_TOP_K)] = Field(
        None, description="Passages to retrieve; defaults to the server's settings.top_k."
    )
    history: Annotated[list[HistoryTurn], Field(max_length=MAX_HISTORY_TURNS)] = Field(
        default_factory=list, description="Earlier turns, oldest first, for follow-up questions."
    )
    stream: StrictBool = Field(False, description="true: answer as Server-Sent Events.")

    @field_validator("question")
    @classmethod
    def _question_not_blank(cls, value: str) -> str:
        return _not_blank(value)


class Source(BaseModel):
    """A retrieved passage; `start`/`end` are character offsets into the source file."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_SOURCE]})

    n: int = Field(description="Citation number, as [n] in the answer.")
    chunk_id: str
    file: str
    heading_path: list[str]
    start: int
    end: int
    text: str
    score: float
    duplicates: list[str] = Field(default_factory=list)
    errata: list[str] = Field(
        default_factory=list,
        description="Editor's notes on statements of this passage that the notes get wrong "
        "(reviewed, corpus/overrides.toml); /ask never uses those statements as evidence.",
    )


class Timings(BaseModel):
    retrieve: float = Field(description="milliseconds")
    generate: float = Field(description="milliseconds (0 when refused before generation)")
    total: float = Field(description="milliseconds")


class SupportFigure(BaseModel):
    """How sure the answer is: each part in 0–1, and a level a reader can act on."""

    verified: float = Field(
        ge=0, le=1, description="Share of the answer's sentences that passed the check."
    )
    key_terms: float = Field(
        ge=0, le=1, description="Share of the question's key terms in the evidence."
    )
    retrieval: float = Field(ge=-1, le=1, description="Best dense cosine among the passages used.")
    level: Literal["high", "medium", "low"]


class EvidenceOut(BaseModel):
    """One evidence unit (a sentence or list item of a passage) the answer was built from."""

    n: int = Field(description="The passage it comes from, as [n].")
    text: str
    file: str
    heading_path: list[str]
    start: int = Field(description="Character offset of the unit's passage span in the file.")
    end: int


class RemovedSentence(BaseModel):
    """A draft sentence the support check dropped, and why."""

    text: str
    reason: str


class AskResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "answer": "Prefix LM 对前缀做双向注意力，Causal LM 只看左侧[1]。",
                    "refused": False,
                    "refusal_reason": None,
                    "question_used": "prefix LM 和 causal LM 的区别是什么？",
                    "citations": [EXAMPLE_SOURCE],
                    "sources": [],
                    "timings_ms": {"retrieve": 12.5, "generate": 820.1, "total": 835.0},
                    "model": "qwen0.5b",
                    "index_version": "20250101T000000-abcd1234",
                    "request_id": "8f14e45fceea167a5a36dedd4bea2543",
                }
            ]
        }
    )

    answer: str | None = Field(description="null only when the gate refused before generation.")
    refused: bool
    refusal_reason: RefusalReason | None = Field(
        None,
        description="no_evidence: nothing relevant found; missing_terms: the notes never "
        "mention what the question names (see missing_terms); missing_kind: the notes discuss "
        "it but don't give what was asked for (a formula, a number, model names); notes_wrong: "
        "the notes' answer is a reviewed error, left out, and the answer gives the editor's "
        "correction; model: the LLM said so.",
    )
    missing_terms: list[str] = Field(
        default_factory=list, description="Key terms of the question absent from the notes."
    )
    support: SupportFigure | None = Field(None, description="null when refused.")
    evidence: list[EvidenceOut] = Field(default_factory=list)
    removed: list[RemovedSentence] = Field(
        default_factory=list, description="Draft sentences dropped by the support check."
    )
    related: list[RelatedQuestion] = Field(
        default_factory=list,
        description="Up to 3 questions of the practice bank near this one, never itself: "
        "follow-ups the notes answer.",
    )
    question_used: str = Field(description="The standalone question used for retrieval.")
    citations: list[Source] = Field(description="The passages the answer cites, by [n].")
    sources: list[Source] = Field(
        description="Every passage given to the model (on refusal: the closest passages)."
    )
    timings_ms: Timings
    model: str
    index_version: str
    request_id: str


class SearchResponse(BaseModel):
    query: str
    index_version: str
    hits: list[Source]
    request_id: str


class StreamEvent(StrEnum):
    """The Server-Sent Event names of a streamed /ask, in the order they come."""

    SOURCES = "sources"  # the passages found, before any text: {"sources", "question_used", ...}
    TOKEN = "token"  # a piece of the answer as it is written: {"text"}
    DONE = "done"  # the checked answer: an AskResponse
    ERROR = "error"  # instead of `done`: an ErrorResponse body (contract/errors.py)
