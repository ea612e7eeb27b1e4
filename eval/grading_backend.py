"""The graders eval.grading measures: POST /practice/grade on a running service, or the
service's grading function in-process. Both find an item's `question_id` in the index's
question bank by the question's text (and the file, where two files ask the same question).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from core.settings import Settings
from eval.grading_items import Graded, GradedPoint, Grader, GradingItem
from ingest.bank import BankEntry, question_key

HTTP_TIMEOUT_S = 120.0  # a grade with an LLM behind it can take a while on a CPU


@dataclass(frozen=True)
class BankLookup:
    entries: Sequence[BankEntry]

    def find(self, item: GradingItem) -> BankEntry:
        key = question_key(item.question)
        found = [e for e in self.entries if question_key(e.question) == key]
        if item.file:
            in_file = [e for e in found if item.file in {c.file for c in (e.source, *e.copies)}]
            found = in_file or found
        if not found:
            raise LookupError(f"not in the question bank: {item.question}")
        return found[0]


def graded_from_json(body: dict[str, Any]) -> Graded:
    """The /practice/grade response as the metrics read it."""
    return Graded(
        question_id=str(body["question_id"]),
        score=float(body["score"]),
        points=tuple(GradedPoint(str(p["text"]), bool(p["covered"])) for p in body["points"]),
        contradictions=tuple(str(c["sentence"]) for c in body.get("contradictions", [])),
    )


class HttpGrader:
    def __init__(
        self,
        url: str,
        lookup: BankLookup,
        user: str,
        api_key: str | None = None,
        transport: httpx.BaseTransport | None = None,  # tests: a scripted server
    ) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = httpx.Client(
            base_url=url, headers=headers, timeout=HTTP_TIMEOUT_S, transport=transport
        )
        self.lookup = lookup
        self.user = user

    def grade(self, item: GradingItem) -> Graded:
        entry = self.lookup.find(item)
        payload = {"question_id": entry.question_id, "answer": item.answer, "user": self.user}
        resp = self.client.post("/practice/grade", json=payload)
        resp.raise_for_status()
        return graded_from_json(resp.json())


class InProcessGrader:
    """The service's own grading (service/practice_ops.py), on the index it would serve, with
    the index's embedder for English sentences as the app passes it (unless `lexical`)."""

    def __init__(
        self,
        settings: Settings,
        lexical: bool = False,
        loader: Callable[[Settings], Any] | None = None,  # tests: an index with a fake embedder
    ) -> None:
        from core.retrieval import open_retriever
        from service.practice_bank import bank_for

        retriever = (loader or open_retriever)(settings)
        self.bank = bank_for(retriever)
        self.lookup = BankLookup(self.bank.entries)
        self.embedder = None if lexical else getattr(retriever, "embedder", None)

    def grade(self, item: GradingItem) -> Graded:
        from service.practice_ops import grade_entry

        entry = self.lookup.find(item)
        g = grade_entry(self.bank, entry, item.answer, self.embedder)
        return Graded(
            question_id=entry.question_id,
            score=g.score,
            points=tuple(GradedPoint(p.unit.text, p.covered) for p in g.points),
            contradictions=tuple(c.sentence for c in g.contradictions),
        )


def build_grader(args: argparse.Namespace, settings: Settings) -> Grader:
    """`settings` already carries --index: the caller validated them, bad values included."""
    if not args.url:
        return InProcessGrader(settings, lexical=args.lexical)
    from core.index_store import load_index
    from ingest.bank import load_bank

    index = load_index(settings.index_dir)
    lookup = BankLookup(load_bank(index.path, index.chunks))
    return HttpGrader(args.url, lookup, args.user, args.api_key or settings.api_key)
