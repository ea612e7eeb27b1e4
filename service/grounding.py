"""evidence → compose → check, the part of /ask that decides what may be said.

`ground` runs before generation: it selects the evidence, checks the question's key terms
against it and decides to refuse (naming what is missing) or to answer. `finish` runs after:
it checks every sentence of the draft (the LLM's, or the extractive composition), drops the
unsupported ones, falls back to the evidence points when too little is left, and says how sure
the answer is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.text import is_english
from core.types import Hit
from service import term_check
from service.asks import missing_kind
from service.close_calls import MIN_BETTER
from service.compose import (
    Composed,
    Sentence,
    closest,
    compose,
    erratum,
    gap,
    mentioned,
    notes_wrong,
    refusal,
    refusal_kind,
    render,
    unsaid,
    unsaid_refusal,
)
from service.coverage import (
    headed,
    named,
    number_of_another,
    number_unsaid,
    passages_of,
    subject_unsaid,
)
from service.errata import select_correct
from service.evidence import Evidence, EvidenceUnit, select
from service.field_terms import Said
from service.generators.base import GenerationRequest, Passage
from service.lead import focus_first, named_first, said_first
from service.parts import question_parts
from service.prompt import PromptBuilder
from service.support import SupportChecker, Verdict, sentences
from service.verdict import lead_with_statement

MIN_KEPT_SHARE = 0.5  # keep an LLM draft only if at least half of its sentences check out


@dataclass(frozen=True)
class Support:
    verified: float  # share of the answer's sentences that passed the support check
    key_terms: float  # share of the question's key terms found in the evidence
    retrieval: float  # best dense cosine among the passages used
    level: str  # "high" | "medium" | "low", from the three above

    def as_dict(self) -> dict[str, float | str]:
        return {
            "verified": round(self.verified, 3),
            "key_terms": round(self.key_terms, 3),
            "retrieval": round(self.retrieval, 3),
            "level": self.level,
        }


@dataclass(frozen=True)
class Grounding:
    question: str
    hits: tuple[Hit, ...]  # the passages an answer may cite: hit i is [i + 1]
    evidence: Evidence
    terms: term_check.TermCoverage
    composed: Composed  # the extractive answer; also the fallback
    refusal: str | None  # the refusal text, when the answer is "not in the notes"
    reason: str | None  # "no_evidence" | "missing_terms" | "missing_kind" | "notes_wrong"
    errata: tuple[str, ...] = ()  # editor's notes on the notes' errors the answer leaves out
    english: bool = False  # the user wrote in English: what we add is said in English
    note_first: bool = False  # the first of `errata` is on what was asked: it opens the answer

    @property
    def passages(self) -> dict[int, str]:
        """What each sentence is checked against: a passage with the lines it sits under (a
        table's header, the items above a nested list: `Chunk.lead`), from which its units
        take the names they say ("适用范围：Token …，词表(Vocabulary) …" under the header row of
        a passage cut inside the table)."""
        return {i + 1: "\n".join((*h.chunk.lead, h.chunk.text)) for i, h in enumerate(self.hits)}


@dataclass(frozen=True)
class Final:
    text: str
    cited: tuple[int, ...]
    removed: tuple[Verdict, ...]
    support: Support


def _opening(evidence: Evidence, question: str) -> Evidence:
    """The point that says what is asked first: the best-matching one, else one the question
    singles out by name, else one that says its asking clause (service/lead.py)."""
    for first in (focus_first, named_first, said_first):
        led = first(evidence, question)
        if led is not evidence:
            return led
    return evidence


def select_parts(question: str, hits: Sequence[Hit]) -> Evidence:
    """A question in several parts ("…有什么区别？BERT 的非线性又来自哪里？") gets the
    evidence of each part, in order; one section rarely answers both."""
    parts = question_parts(question)  # each part alone: it picks among hits the whole found
    if len(parts) < 2:
        evidence = select(question, hits)
        led = lead_with_statement(question, hits, evidence)
        return led if led is not evidence else _opening(evidence, question)
    found = []
    for i, part in enumerate(parts):
        evidence = select(part, hits, question)
        led = lead_with_statement(part, hits, evidence)
        # the answer opens on the first part's point (a later part's own would open it on
        # something not yet asked)
        found.append(_opening(evidence, part) if i == 0 and led is evidence else led)
    units: list[EvidenceUnit] = []
    said: set[str] = set()  # parts share sentences (and the notes repeat some): say each once
    # each part's answer, then what other notes say, under one line per note
    for u in sorted((u for ev in found for u in ev.units), key=lambda u: bool(u.other_note)):
        if u.text not in said:
            said.add(u.text)
            units.append(u)
    same = all(ev.same_question for ev in found) and bool(units)
    by_name = any(ev.by_name for ev in found)  # a part about one thing the notes name
    return Evidence(tuple(units), same, found[0].heading, by_name=by_name)


def ground(
    question: str, hits: Sequence[Hit], notes: str | None = None, gate_refused: bool = False,
    errata: bool = True, english: bool | None = None, unheard: Sequence[Said] = (),
    heard: Sequence[str] = (),
) -> Grounding:  # fmt: skip
    """`notes`: the whole index's squashed text (`service.keyterms.squash`), to tell "not in these
    passages" from "not in the notes at all"; None judges by the passages alone.
    `english`: the language of what the user typed, when `question` is not only their words
    (the glossary adds the notes' Chinese terms to "Why does it keep repeating itself?").
    `gate_refused`: the score gate found nothing close; the refusal still names any key term
    the notes lack. `errata=False`: the notes' reviewed errors count as evidence (what the
    answer would be without them). `unheard`: the field's terms in the question for concepts
    the notes never mention (service/field_terms.py): names, like LoRA. `heard`: the field's
    English names in the question for what the notes name only in Chinese: not missing."""
    en = is_english(question) if english is None else english
    real = tuple(h for h in hits if not h.chunk.hollow)
    # the notes' reviewed errors never become evidence; what they would have said is noted
    if errata:
        evidence, real, wrong, note_first = select_correct(question, real, select_parts)
    else:
        evidence, wrong, note_first = select_parts(question, real), (), False
    texts = headed(real)
    terms = term_check.check(question, texts, notes, en, unheard, heard)
    composed = compose(evidence, en, wrong, note_first)
    # A named thing the notes lack, and no section that asks this question: what we would
    # answer is about something else, so the whole question counts as not covered.
    off_topic = bool(terms.absent) and not evidence.same_question
    # what the notes say here is wrong (errata): a refusal says so too, not only "nothing"
    said = render([erratum(n, en) for n in wrong])

    def unwithheld() -> Grounding | None:
        # what we would answer without the errata, when they withheld something (in the
        # language the user typed, as this call: not the glossary's added terms')
        if not said:
            return None
        return ground(question, hits, notes, gate_refused, False, en, unheard, heard)

    def wrong_only() -> bool:  # the errata alone make this answer fail
        g = unwithheld()
        return g is not None and g.refusal is None

    def refused(text: str, reason: str) -> Grounding:
        # Only the errata made this a refusal: the notes answer it, wrongly (dev-058's GPT-3
        # figures), so say that, with the correction, not "not in the notes". A question the
        # notes never answer gets no note on whatever wrong sentence its closest hits hold
        # (dev-096, Layer Norm's formula).
        if wrong_only():
            text, reason = f"{notes_wrong(en)}\n{said}", "notes_wrong"
        return Grounding(
            question, real, evidence, terms, composed, text, reason, wrong, en, note_first
        )

    if terms.refuse or off_topic:
        plain = [t for t in terms.absent if t not in terms.other_meaning]
        missing = term_check.names(plain, en)
        return refused(
            refusal(en, missing, term_check.names(terms.other_meaning, en)), "missing_terms"
        )
    kind = missing_kind(question, "\n".join(passages_of(evidence, real)), en)
    if kind is not None and not evidence.empty:
        return refused(refusal_kind(en, kind), "missing_kind")
    if evidence.empty or (gate_refused and not (evidence.by_name or named(question, evidence))):
        return refused(refusal(en), "no_evidence")
    # not one word of the question in the passages, and no heading that asks it: what we would
    # answer shares only its form ("区块链有哪些缺点？" got the drawbacks of large models)
    if terms.terms and terms.share == 0.0 and not (evidence.same_question or evidence.by_name):
        return refused(refusal(en), "no_evidence")
    # what we would answer gives numbers, but not of the thing asked about
    other = number_of_another(question, evidence, texts, en) or number_unsaid(
        question, evidence, texts, en
    )
    if other is not None:
        return refused(refusal_kind(en, other), "missing_kind")
    # the one thing the question names, said only in passages the errata withheld: what is
    # left is about something else (AdaLoRA's section withheld, LoRA's answering for it). The
    # note says what the notes say of it is wrong, not that they answer this very question (an
    # adapter's bottleneck size, where the withheld section is on MAM Adapter). Otherwise the
    # answer stands, saying its passages don't mention the name: the notes may discuss it under
    # another ("RAG 如何解决文档切分粒度的问题？" and their 文档对话 section, which never says RAG)
    subject = subject_unsaid(terms, evidence, texts)
    withheld = unwithheld() if subject is not None else None
    # ... and the withheld passages do say it ("What is the KV cache…?": neither the cache
    # sizes left nor those withheld say KV, which the notes say of decoder-only models)
    if (
        subject is not None
        and withheld is not None
        and withheld.refusal is None
        and subject_unsaid(withheld.terms, withheld.evidence, headed(withheld.hits)) is None
    ):
        text = f"{notes_wrong(en, subject.text)}\n{said}"
        return Grounding(
            question, real, evidence, terms, composed, text, "notes_wrong", wrong, en, note_first
        )
    if subject is not None:  # close to what is asked, but not said of the thing it names
        # ... and no line of them says much of the rest: no answer (5 of 6 such answers were to
        # questions the notes don't cover, LLaMA's digit splitting, DPO's log-probs…; the one
        # they cover had a line at 7.8). Not in English: its words meet the passages' glosses
        # only, its lines score low whatever they say ("What is the KV cache…?", covered)
        if not en and max((u.score for u in evidence.units), default=0.0) < MIN_BETTER:
            return refused(unsaid_refusal(subject.text), "no_evidence")
        composed = Composed((unsaid(en, subject.text), *composed.sentences))
    if terms.partial:
        extra = gap(en, term_check.names(terms.absent, en))
        composed = Composed((*composed.sentences, extra))
    return Grounding(question, real, evidence, terms, composed, None, None, wrong, en, note_first)


def evidence_request(
    g: Grounding, builder: PromptBuilder, asked: str | None = None
) -> GenerationRequest:
    """The LLM sees only the evidence units, grouped under their passage numbers: it may
    condense, merge and translate them, and has nothing else to draw facts from. The builder
    applies the character cap and the context window's token budget. `asked`: the question in
    the user's words, without the notes' terms the glossary added for the search (the model
    answers in the question's language)."""
    by_n: dict[int, list[str]] = {}
    heads: dict[int, tuple[str, ...]] = {}
    for u in g.evidence.units:
        by_n.setdefault(u.n, []).append(u.text)
        heads[u.n] = u.heading_path
    passages = [Passage(n, "\n".join(t), heads[n]) for n, t in sorted(by_n.items())]
    return builder.fit(asked or g.question, passages)[0]


def _level(verified: float, terms: float, same_question: bool) -> str:
    if verified >= 1.0 and terms >= 1.0 and same_question:
        return "high"
    if verified >= 0.75 and terms >= 0.5:
        return "medium"
    return "low"


def finish(g: Grounding, checker: SupportChecker, draft: str | None = None) -> Final:
    """Check the draft sentence by sentence; fall back to the composed evidence if too little
    of it survives. `draft=None` means the extractive composition is the answer."""
    passages = g.passages
    kept: list[Sentence] = []
    removed: list[Verdict] = []
    verified = 0.0  # share of the sentences the answer was built from that checked out
    if draft is not None:
        verdicts = [checker.verdict(s, c, passages) for s, c in sentences(draft)]
        good = [v for v in verdicts if v.supported]
        removed = [v for v in verdicts if not v.supported]
        if any(v.reason != "gap" for v in good) and len(good) >= MIN_KEPT_SHARE * len(verdicts):
            kept = [Sentence(v.sentence, v.cites) for v in good]
            if g.evidence.closest:  # nor that its evidence is only the closest section
                kept.insert(0, closest(g.evidence.closest, g.english))
            if g.evidence.mentions:  # nor that the notes only mention what it asks about
                kept.insert(0, mentioned(g.evidence.mentions, g.english))
            if g.terms.partial:  # the draft can't know what the key-term check found
                kept.append(gap(g.english, term_check.names(g.terms.absent, g.english)))
            notes = [erratum(note, g.english) for note in g.errata]
            if g.note_first and notes:  # after the lines on where the answer comes from
                at = sum(s.remark for s in kept[:2])
                kept.insert(at, notes.pop(0))
            kept += notes
            verified = len(good) / len(verdicts)
    if not kept:  # extractive, or the draft fell back: the composition, checked too
        composed = g.composed.sentences
        for s in composed:
            v = None if s.remark else checker.verdict(s.text, s.cites, passages)
            if v is None or v.supported:  # a remark about the notes has nothing to check
                kept.append(s)
            else:
                removed.append(v)
        checked = sum(not s.remark for s in composed)
        verified = sum(not s.remark for s in kept) / checked if checked else 0.0
    dense = [h.dense_score or 0.0 for h in g.hits]
    support = Support(
        verified, g.terms.share, max(dense, default=0.0),
        _level(verified, g.terms.share, g.evidence.same_question),
    )  # fmt: skip
    cited: list[int] = []
    for s in kept:
        cited.extend(n for n in s.cites if n not in cited)
    if not any(s.cites for s in kept):
        return Final(refusal(g.english), (), tuple(removed), support)
    return Final(render(kept), tuple(cited), tuple(removed), support)
