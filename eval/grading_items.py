"""The grading set (eval/datasets/grading.jsonl) and what a grader answers for one item.

Each item is a question heading of the notes, a user's answer to it, and the notes' key points
for that question as short verbatim quotes of the answer body, each labelled by hand with
whether this answer covers it. The quotes are matched to the grader's own points by text
(eval/grading_metrics.py), so the set does not depend on how the backend numbers its points.
`hand_score` is the share of the points covered, lowered where the answer also claims what
the notes contradict (`contradicts` quotes those claims); off-topic and empty answers score 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from pydantic import BaseModel, Field

from eval.dataset import load_models

AnswerKind = Literal["complete", "partial", "wrong", "off_topic", "empty", "english", "mixed"]


class ExpectedPoint(BaseModel, frozen=True):
    text: str = Field(min_length=1, description="a verbatim quote of the notes' answer body")
    covered: bool


class GradingItem(BaseModel, frozen=True):
    id: str
    question: str = Field(min_length=1)
    file: str | None = None  # which file's copy of the question, when two files ask it
    answer: str
    kind: AnswerKind
    expected_points: tuple[ExpectedPoint, ...] = Field(min_length=1)
    hand_score: float = Field(ge=0.0, le=1.0)
    contradicts: tuple[str, ...] = ()


@dataclass(frozen=True)
class GradedPoint:
    text: str
    covered: bool


@dataclass(frozen=True)
class Graded:
    """A grader's verdict on one answer: the parts the metrics read."""

    question_id: str
    score: float
    points: tuple[GradedPoint, ...]
    contradictions: tuple[str, ...]  # the user's sentences the notes contradict


class Grader(Protocol):
    """Grades one item's answer against the notes (in-process or over HTTP)."""

    def grade(self, item: GradingItem) -> Graded: ...


def load_grading(path: Path) -> list[GradingItem]:
    return load_models(path, GradingItem)
