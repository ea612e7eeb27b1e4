"""Practice mode: topics, the next question, a graded answer, progress, related questions.

Offsets (`start`/`end`) are character offsets into the source file, like every citation.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

MAX_USER_CHARS = 64  # a learner id or a name, not a document
MAX_ANSWER_CHARS = 8000  # a thorough interview answer is a few hundred characters
MAX_QUESTION_ID_CHARS = 64  # ids are 16 hex characters; room for another scheme
# A learner id is any printable text: no control characters (they end up in logs).
USER_PATTERN = r"^[^\x00-\x1f\x7f]+$"
MAX_RELATED = 3  # follow-ups offered after an answer: more would bury the answer


class SourceRef(BaseModel):
    file: str
    heading_path: list[str]
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class TopicNode(BaseModel):
    name: str
    path: list[str] = Field(description="Join with ' / ' for the `topic` parameter.")
    count: int = Field(ge=0, description="Questions in this topic and below it.")
    children: list[TopicNode] = Field(default_factory=list)


class TopicsResponse(BaseModel):
    total: int = Field(ge=0, description="Questions in the bank.")
    topics: list[TopicNode]


class PracticeQuestion(BaseModel):
    question_id: str
    question: str
    topic: list[str]
    due: bool = Field(description="Due for review (spaced repetition); else new or not yet due.")
    seen: bool = Field(description="This user has answered it before.")
    source: SourceRef = Field(description="Where the notes answer it.")


class GradeRequest(BaseModel):
    question_id: str = Field(min_length=1, max_length=MAX_QUESTION_ID_CHARS)
    answer: str = Field(max_length=MAX_ANSWER_CHARS, description="May be empty: scores 0.")
    user: str = Field(min_length=1, max_length=MAX_USER_CHARS, pattern=USER_PATTERN)


class GradedPoint(BaseModel):
    n: int = Field(ge=1, description="The point's place in the notes' answer.")
    text: str
    covered: bool
    source: SourceRef


class ContradictionOut(BaseModel):
    sentence: str = Field(description="The answer's sentence the notes contradict.")
    point: int = Field(ge=1, description="`n` of the point it contradicts.")
    reason: str


class ReferenceAnswer(BaseModel):
    text: str
    source: SourceRef
    errata: list[str] = Field(
        default_factory=list,
        description="Editor's notes on statements of this answer that the notes get wrong; "
        "those statements are left out of `text` and of the graded points.",
    )


class GradeResponse(BaseModel):
    question_id: str
    score: float = Field(ge=0.0, le=1.0, description="Share of the key points covered.")
    points: list[GradedPoint]
    contradictions: list[ContradictionOut]
    reference: ReferenceAnswer
    next_due: str = Field(description="ISO 8601 (UTC): when this question is due again.")
    interval_days: float = Field(ge=0.0)


class TopicProgress(BaseModel):
    topic: str = Field(description="A topic path joined by ' / '.")
    seen: int = Field(ge=0)
    mean_score: float | None = Field(description="Latest score per seen question, averaged.")
    due: int = Field(ge=0)


class ProgressResponse(BaseModel):
    user: str
    topics: list[TopicProgress]
    seen: int = Field(ge=0)
    due: int = Field(ge=0)


class RelatedQuestion(BaseModel):
    """A question from the practice bank near an /ask question: the notes can answer it."""

    question_id: str
    question: str
    topic: list[str]
    source: SourceRef
