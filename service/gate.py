"""The refusal gate: say "the notes don't cover this" before spending a generation on it.

A small LLM given loosely related passages tends to answer anyway, from its own memory; the
cheapest defence is to look at the retrieval evidence first. Both scores are kept as features
so the thresholds can be calibrated on the dev set (the defaults in Settings are that result).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from core.text import has_cjk
from core.text_tokens import tokenize
from core.types import Hit


@dataclass(frozen=True)
class GateDecision:
    refuse: bool
    reason: str  # "ok" | "no_evidence" | "low_similarity"
    features: dict[str, float] = field(default_factory=dict)


def evidence(hits: Sequence[Hit]) -> list[Hit]:
    """Hits that can support an answer: hollow chunks (a heading with no body, a topic seen
    only in a table of contents) say the notes *raise* a topic, never that they answer it."""
    return [h for h in hits if not h.chunk.hollow]


class EvidenceGate:
    """Refuse when there is no real passage, or the best passages match the question neither
    by meaning nor by words.

    - Cosine floors differ by language: e5 scores an English question against Chinese notes
      about 0.05 lower than a Chinese one, so one floor would refuse every English question.
    - Coverage (Chinese questions): the share of the question's content words found in the
      evidence. Off-topic questions ("红烧肉怎么做") share almost none, whatever the cosine.
    - An optional BM25 floor lets exact-term matches through anyway (0 disables it).
    """

    def __init__(
        self,
        min_dense_cjk: float,
        min_dense_latin: float,
        min_coverage: float = 0.0,
        min_bm25: float = 0.0,
    ) -> None:
        self.min_dense_cjk = min_dense_cjk
        self.min_dense_latin = min_dense_latin
        self.min_coverage = min_coverage
        self.min_bm25 = min_bm25

    def decide(
        self, hits: Sequence[Hit], question: str = "", english: bool | None = None
    ) -> GateDecision:
        """`english`: the user wrote in English, when `question` also holds the notes' Chinese
        terms that the glossary added (the English floor applies: the words are English)."""
        real = evidence(hits)
        feats: dict[str, float] = {"n_hits": float(len(hits)), "n_evidence": float(len(real))}
        if not real:
            return GateDecision(True, "no_evidence", feats)
        top = real[0]  # hits come ranked by fused score
        cjk = has_cjk(question) if english is None else not english
        feats.update(
            top_dense=top.dense_score or 0.0,
            top_bm25=top.bm25_score or 0.0,
            max_dense=max((h.dense_score or 0.0) for h in real),
            max_bm25=max((h.bm25_score or 0.0) for h in real),
            coverage=coverage(question, real) if cjk else 1.0,
            cjk=float(cjk),
        )
        floor = self.min_dense_cjk if cjk else self.min_dense_latin
        weak = feats["max_dense"] < floor or feats["coverage"] < self.min_coverage
        rescued = self.min_bm25 > 0 and feats["max_bm25"] >= self.min_bm25
        if weak and not rescued:
            return GateDecision(True, "low_similarity", feats)
        return GateDecision(False, "ok", feats)


def coverage(question: str, hits: Sequence[Hit]) -> float:
    """Share of the question's content words (2+ characters) that occur in the evidence."""
    words = {w for w in tokenize(question) if len(w) >= 2}
    if not words:
        return 1.0
    text = "".join(h.chunk.indexed_text for h in hits).lower()
    return sum(w in text for w in words) / len(words)
