"""Practice mode's routes: GET /topics, GET /practice/question, POST /practice/grade,
GET /practice/progress. The decisions live in service/practice_ops.py, the bank in
service/practice_bank.py, the schedule in service/progress_store.py; this is the HTTP edge.

Plain `def` routes: FastAPI runs them on its thread pool, where SQLite and the grader's CPU
work don't hold up the event loop.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from contract.errors import ERROR_RESPONSES, ErrorResponse
from contract.practice import (
    MAX_USER_CHARS,
    USER_PATTERN,
    ContradictionOut,
    GradedPoint,
    GradeRequest,
    GradeResponse,
    PracticeQuestion,
    ProgressResponse,
    ReferenceAnswer,
    RelatedQuestion,
    SourceRef,
    TopicNode,
    TopicProgress,
    TopicsResponse,
)
from core.errors import NotFound
from ingest.bank import BankEntry, Location
from service.evidence import EvidenceUnit
from service.practice_bank import PracticeBank, Topic, bank_for
from service.practice_ops import grade_entry, is_due, next_question, progress
from service.progress_store import ProgressStore
from service.security import ApiKey

MAX_TOPIC_CHARS = 500  # a topic path of a few headings
User = Annotated[str, Query(min_length=1, max_length=MAX_USER_CHARS, pattern=USER_PATTERN)]
_store_lock = threading.Lock()


def store_of(request: Request) -> ProgressStore:
    """The app's progress store, its schema created or migrated on first use."""
    state = request.app.state
    store: ProgressStore | None = getattr(state, "practice_store", None)
    if store is None:
        with _store_lock:
            store = getattr(state, "practice_store", None)
            if store is None:
                store = ProgressStore(state.settings.practice_db_path())
                store.migrate()
                state.practice_store = store
    return store


def _bank(request: Request) -> tuple[PracticeBank, Any]:
    retriever = request.app.state.holder.get()  # IndexNotReady (503) until an index is loaded
    return bank_for(retriever), retriever


def source_ref(loc: Location | EvidenceUnit) -> SourceRef:
    file = loc.file
    return SourceRef(file=file, heading_path=list(loc.heading_path), start=loc.start, end=loc.end)


def related_out(entry: BankEntry) -> RelatedQuestion:
    return RelatedQuestion(
        question_id=entry.question_id,
        question=entry.question,
        topic=list(entry.topic),
        source=source_ref(entry.source),
    )


def _node(t: Topic) -> TopicNode:
    return TopicNode(
        name=t.name, path=list(t.path), count=t.count, children=[_node(c) for c in t.children]
    )


def practice_router() -> APIRouter:
    missing = {"model": ErrorResponse, "description": "Unknown topic or question id"}
    router = APIRouter(tags=["practice"], responses={**ERROR_RESPONSES, 404: missing})

    @router.get("/topics", summary="The practice bank's topic tree, with question counts")
    def topics(request: Request, _: ApiKey) -> TopicsResponse:
        bank, _retriever = _bank(request)
        return TopicsResponse(total=len(bank.entries), topics=[_node(t) for t in bank.topics()])

    @router.get(
        "/practice/question",
        summary="The next question: due for review first, else one not yet seen",
    )
    def question(
        request: Request,
        _: ApiKey,
        user: User,
        topic: Annotated[str | None, Query(max_length=MAX_TOPIC_CHARS)] = None,
    ) -> PracticeQuestion:
        bank, _retriever = _bank(request)
        entries = bank.in_topic(topic)  # NotFound (404) for a topic the bank doesn't have
        pick = next_question(entries, store_of(request).cards(user), datetime.now(UTC))
        if pick is None:  # only an empty bank: an index of notes without question headings
            raise NotFound("the question bank is empty: the notes have no answered questions")
        e = pick.entry
        return PracticeQuestion(
            question_id=e.question_id,
            question=e.question,
            topic=list(e.topic),
            due=pick.due,
            seen=pick.seen,
            source=source_ref(e.source),
        )

    @router.post(
        "/practice/grade", summary="Grade an answer against the notes' key points; reschedule"
    )
    def grade(body: GradeRequest, request: Request, _: ApiKey) -> GradeResponse:
        bank, retriever = _bank(request)
        entry = bank.get(body.question_id)  # NotFound (404): unknown, or edited since served
        result = grade_entry(bank, entry, body.answer, getattr(retriever, "embedder", None))
        now = datetime.now(UTC)
        scheduled = store_of(request).record(
            body.user, entry.question_id, entry.topic_label, result.score, now
        )
        assert scheduled.card.due is not None
        return GradeResponse(
            question_id=entry.question_id,
            score=result.score,
            points=[
                GradedPoint(n=p.n, text=p.unit.text, covered=p.covered, source=source_ref(p.unit))
                for p in result.points
            ],
            contradictions=[
                ContradictionOut(sentence=c.sentence, point=c.point, reason=c.reason)
                for c in result.contradictions
            ],
            reference=ReferenceAnswer(
                text=entry.answer, source=source_ref(entry.source), errata=bank.errata(entry)
            ),
            next_due=scheduled.card.due.isoformat(timespec="seconds"),
            interval_days=scheduled.card.interval_days,
        )

    @router.get("/practice/progress", summary="Per topic: questions seen, mean score, due")
    def user_progress(request: Request, _: ApiKey, user: User) -> ProgressResponse:
        bank, _retriever = _bank(request)
        cards = store_of(request).cards(user)
        now = datetime.now(UTC)
        stats = progress(bank.entries, cards, now)
        current = [cards[e.question_id] for e in bank.entries if e.question_id in cards]
        return ProgressResponse(
            user=user,
            topics=[
                TopicProgress(topic=s.topic, seen=s.seen, mean_score=s.mean_score, due=s.due)
                for s in stats
            ],
            seen=len(current),
            due=sum(is_due(s, now) for s in current),
        )

    return router
