"""The notes' reviewed errors (corpus/overrides.toml `errata`) kept out of the answer.

Evidence is selected from the hits with each wrong statement blanked out, and a section the
notes get wrong as a whole left out. When the answer would have said a wrong statement (the
selection on the hits as they are takes a unit that overlaps one), it carries the reviewer's
note instead: the user learns that the notes are wrong there, rather than silently getting less.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from core.errata import masked, retracted, wrong_spans
from core.types import Hit
from service.evidence import Evidence, EvidenceUnit
from service.overlap import features, weight
from service.parts import question_parts


def mask_hits(hits: Sequence[Hit]) -> tuple[Hit, ...]:
    """The hits without their wrong statements: retracted sections dropped, quotes blanked."""
    return tuple(
        replace(h, chunk=masked(h.chunk)) if h.chunk.errata else h
        for h in hits
        if not retracted(h.chunk)
    )


def _wrong(unit: EvidenceUnit, hits: Sequence[Hit]) -> bool:
    """`unit` overlaps one of its passage's reviewed errors."""
    spans = wrong_spans(hits[unit.n - 1].chunk)
    return any(start < unit.end and unit.start < end for start, end, _ in spans)


def would_say(units: Sequence[EvidenceUnit], hits: Sequence[Hit]) -> tuple[str, ...]:
    """The notes of the errata that `units` (selected from `hits`, unit n from hit n - 1)
    overlap, each once, in the answer's order. A wrong section counts only when it is the
    answer's own (the first unit's): one that would only have padded a close call is left out
    silently (dev-009's note on prompting methods, under a question about detecting invented
    output, read as noise)."""
    notes: list[str] = []
    lead = units[0].heading_path if units else ()
    for u in units:
        chunk = hits[u.n - 1].chunk
        if retracted(chunk) and u.heading_path != lead:
            continue
        for start, end, note in wrong_spans(chunk):
            if start < u.end and u.start < end and note not in notes:
                notes.append(note)
    return tuple(notes)


# How well a wrong statement must match the question for its note to answer first: four
# shared bigrams, or an English term and two (the dev sets: "1B model parameter: 10,000,000,000
# byte" matched an English question on Adam's memory at 3.5; the statements asked about, 4.6 to
# 8.3); and what the reviewers quoted as wrong must say some of what is asked (three bigrams,
# or a term and a bigram), not only sit in the sentence that does ("LLM（低层次模型…）" in
# the lead "给LLM…注入领域知识的方法有很多" under "如何给LLM注入领域知识？")
ASKED_WRONG = 4.0
ASKED_QUOTE = 3.0


def _asked_wrong(question: str, first: Evidence, evidence: Evidence, hits: Sequence[Hit]) -> str:
    """The note on the wrong statement that matched the question best, when nothing left in
    `evidence` matches it as well: what was asked is what the notes get wrong ("LangChain 有没有
    替代方案？" and "…目前没有直接的替代方案"), so the note answers first; else ""."""
    best = max(first.units, key=lambda u: u.score, default=None)
    left = max((u.score for u in evidence.units), default=0.0)
    if best is None or best.score < ASKED_WRONG or best.score <= left:
        return ""
    # a wrong statement, not a section wrong as a whole: its note is on the section, and says
    # nothing in particular about what was asked ("PEFT 有什么优点?" over the note on PEFT
    # read as performance estimation)
    chunk = hits[best.n - 1].chunk
    if retracted(chunk):
        return ""
    q = features(question, question=True)
    for a, b, note in wrong_spans(chunk):
        quote = chunk.text[a - chunk.start : b - chunk.start]
        if a < best.end and best.start < b and weight(q & features(quote)) >= ASKED_QUOTE:
            return note
    return ""


def select_correct(
    question: str, hits: Sequence[Hit], select: Callable[[str, Sequence[Hit]], Evidence]
) -> tuple[Evidence, tuple[Hit, ...], tuple[str, ...], bool]:
    """`select`'s evidence from the hits with the notes' errors masked out, those hits (the
    answer's passages: hit i is [i + 1]), the editor's notes on the errors the answer would
    have said, and whether the first of them is on what the question asks (`_asked_wrong`:
    that note answers first)."""
    if not any(h.chunk.errata for h in hits):  # the usual case: one selection
        return select(question, hits), tuple(hits), (), False
    first = select(question, hits)
    evidence, clean, said = _correct(question, hits, select, first)
    # a question in parts: each part is answered apart and the note may be on any of them
    # (dev-085's was on its second), so it does not open the answer
    whole = len(question_parts(question)) < 2
    asked = _asked_wrong(question, first, evidence, hits) if said and whole else ""
    if asked:
        said = tuple(dict.fromkeys((asked, *said)))
    return evidence, clean, said, bool(asked)


def _correct(
    question: str, hits: Sequence[Hit], select: Callable[[str, Sequence[Hit]], Evidence],
    first: Evidence,
) -> tuple[Evidence, tuple[Hit, ...], tuple[str, ...]]:  # fmt: skip
    said = would_say(first.units, hits)
    clean = mask_hits(hits)
    head = first.units[0] if first.units else None
    lost = head is not None and retracted(hits[head.n - 1].chunk)
    evidence = select(question, clean)
    # The one listed point the question names is what the notes get wrong: the rest of its list
    # answers another question ("梯度裁剪在省内存的训练方法里起什么作用？" got the five other
    # methods), so the answer is the note alone (grounding: notes_wrong); unless another note
    # lists that point too, and right ("知识蒸馏" with the teacher the larger model, where two
    # notes swap them): its point answers, with the note.
    if head is not None and first.point and _wrong(head, hits) and not evidence.point:
        return Evidence((), False, first.heading), clean, said
    # So too when the section that asks this very question is retracted and no other note's
    # section asks it ("RM (奖励模型) 的数据格式?" got PPO's).
    if lost and first.same_question and not evidence.same_question:
        return Evidence((), False, first.heading), clean, said
    # ... or loses the sentences it answered with, and what is left answers from a section that
    # doesn't ask it ("Encoder编码器与Decoder掩码有什么区别？" got prefix/causal decoders)
    moved = evidence.heading != first.heading and not evidence.same_question
    if said and first.same_question and moved:
        return Evidence((), False, first.heading), clean, said
    # The section that answered is retracted as a whole: what is left answers from elsewhere,
    # and says it is only the closest ("LoRA 为什么能让训练变快？" had led with the steps of
    # "如何在已有LoRA模型上继续训练？"). Whole questions only (each part of one is answered
    # apart, evidence.select), and not when a section asks it or the answer was found by the
    # name the question asks about.
    whole = len(question_parts(question)) < 2
    sure = evidence.same_question or evidence.closest or evidence.by_name
    if lost and whole and evidence.units and not sure:
        used = dict.fromkeys(u.heading_path[-1] for u in evidence.units if u.heading_path)
        evidence = replace(evidence, closest=tuple(used))
    return evidence, clean, said
