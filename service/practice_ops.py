"""Practice mode's decisions, apart from HTTP: which question next, a grade, a user's progress.

- Next question: the most overdue of the user's due cards first (spaced repetition), else the
  first question not yet seen in the notes' order (topics build on each other there), else the
  one due soonest, so a learner who has seen everything still gets something to revise.
- Progress is read against the current bank: a question whose answer was edited is a new card
  (its id changed), and the old card no longer counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from ingest.bank import BankEntry
from service.grading import Grade, Similarity, grade
from service.practice_bank import PracticeBank
from service.progress_store import Scheduled


@dataclass(frozen=True)
class Pick:
    entry: BankEntry
    due: bool
    seen: bool


@dataclass(frozen=True)
class TopicStats:
    topic: str
    seen: int
    mean_score: float | None
    due: int


def is_due(s: Scheduled, now: datetime) -> bool:
    return s.card.due is not None and s.card.due <= now


def next_question(
    entries: Sequence[BankEntry], cards: Mapping[str, Scheduled], now: datetime
) -> Pick | None:
    mine = [(cards[e.question_id], e) for e in entries if e.question_id in cards]
    due = sorted(
        ((s.card.due, i, e) for i, (s, e) in enumerate(mine) if is_due(s, now)),
        key=lambda t: (t[0], t[1]),
    )
    if due:
        return Pick(due[0][2], True, True)
    unseen = next((e for e in entries if e.question_id not in cards), None)
    if unseen is not None:
        return Pick(unseen, False, False)
    if mine:
        soonest = min(range(len(mine)), key=lambda i: (mine[i][0].card.due or now, i))
        return Pick(mine[soonest][1], False, True)
    return None


def progress(
    entries: Sequence[BankEntry], cards: Mapping[str, Scheduled], now: datetime
) -> list[TopicStats]:
    """Per topic (the full topic path), in the notes' order; topics not started included."""
    by_topic: dict[str, list[Scheduled | None]] = {}
    for e in entries:
        by_topic.setdefault(e.topic_label, []).append(cards.get(e.question_id))
    out = []
    for topic, slots in by_topic.items():
        seen = [s for s in slots if s is not None]
        mean = round(sum(s.last_score for s in seen) / len(seen), 4) if seen else None
        out.append(TopicStats(topic, len(seen), mean, sum(is_due(s, now) for s in seen)))
    return out


def grade_entry(
    bank: PracticeBank, entry: BankEntry, answer: str, embedder: Any | None = None
) -> Grade:
    """Grade `answer` to `entry`; `embedder` (the index's, see core/embedders.py) adds the
    cross-lingual similarity for English sentences. Key-point vectors are computed once."""
    points = bank.points(entry)
    similarity: Similarity | None = None
    if embedder is not None and points.units:
        vectors = bank.point_vectors(entry, embedder)

        def similarity(sentences: Sequence[str]) -> np.ndarray:
            mine = np.stack([embedder.embed_query_vector(s) for s in sentences])
            return np.asarray(mine @ vectors.T)

    return grade(entry.question, points.units, answer, similarity, points.contexts)
