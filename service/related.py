"""Related questions after an /ask answer: up to three questions of the practice bank near the
question and its answer, never the question itself. They come from the bank, so the notes can
answer each of them.

Near = the questions whose answers retrieval already ranked for this question (their chunks
are among the hits, in rank order: close to the question and to the passages the answer cites);
if those give fewer than three, the bank questions sharing the most words with the question.
No model call: the hits are already there, and the word overlap is a set intersection per
bank question (about a millisecond for the shipped corpus's 224).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from contract.practice import MAX_RELATED, RelatedQuestion
from core.errors import NotesQAError
from core.types import Chunk, Hit
from ingest.bank import BankEntry, question_key, question_words
from service.evidence import EvidenceUnit
from service.overlap import features, heading_match
from service.practice import related_out
from service.practice_bank import PracticeBank, bank_for
from service.respond import Plan

MIN_WORDS = 0.25  # word Dice for a bank question to count as near without a hit of its own
# heading_match at which a bank question asks what was asked: "LLM 为什么会出现复读机问题"
# against the notes' "为什么会出现 LLMs 复读机问题？" is 0.8, their "什么是…复读机问题？" 0.6.
# Stricter than sections.SAME_QUESTION (0.5), which picks the section to answer from.
SAME_ASKED = 0.75


def _same(question: str, entry: BankEntry) -> bool:
    if question_key(question) == question_key(entry.question):
        return True
    return heading_match(features(question, question=True), entry.question) >= SAME_ASKED


def related(
    bank: PracticeBank,
    question: str,
    hits: Sequence[Hit],
    answered_from: Sequence[EvidenceUnit] = (),
) -> list[BankEntry]:
    """`answered_from`: the evidence the answer was built from; its section's question is the
    one just answered, so it is never offered again."""
    answered = {
        id(e)
        for u in answered_from
        if (e := bank.entry_at(Chunk(u.chunk_id, u.file, u.heading_path, "", 0, 0))) is not None
    }

    def fresh(e: BankEntry, picked: list[BankEntry]) -> bool:
        return id(e) not in answered and e not in picked and not _same(question, e)

    picked: list[BankEntry] = []
    for hit in hits:
        for chunk in (hit.chunk, *(bank.chunks[c] for c in hit.duplicates if c in bank.chunks)):
            entry = bank.entry_at(chunk)
            if entry is not None and fresh(entry, picked) and len(picked) < MAX_RELATED:
                picked.append(entry)
    if len(picked) < MAX_RELATED:
        mine = question_words(question)
        scored = sorted(((bank.dice(mine, e), i) for i, e in enumerate(bank.entries)), reverse=True)
        for score, i in scored:
            if score < MIN_WORDS or len(picked) >= MAX_RELATED:
                break
            if fresh(bank.entries[i], picked):
                picked.append(bank.entries[i])
    return picked


def related_for(holder: Any, plan: Plan) -> list[RelatedQuestion]:
    """The `related` field of an /ask answer. None when the gate found nothing near the
    question (its hits would suggest unrelated questions), or no bank can be read."""
    if plan.gate.refuse:
        return []
    try:
        retriever = holder.get()
        if retriever.version != plan.index_version:  # swapped mid-request: hits are the old's
            return []
        bank = bank_for(retriever)
    except NotesQAError:
        return []
    units = plan.grounding.evidence.units
    return [related_out(e) for e in related(bank, plan.rewrite.standalone, plan.hits, units)]
