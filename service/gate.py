"""The refusal gate: say "the notes don't cover this" before spending a generation on it.

A small LLM given loosely related passages tends to answer anyway, from its own memory; the
cheapest defence is to look at the retrieval evidence first. Both scores are kept as features
so the thresholds can be calibrated on the dev set (the defaults in Settings are that result).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

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
    """Refuse when there is no real passage, or the best one matches neither by meaning
    (e5 cosine) nor by words (BM25). Either signal alone is enough to let the question through:
    BM25 rescues exact terms the embedder blurs, the cosine rescues paraphrases."""

    def __init__(self, min_dense: float, min_bm25: float) -> None:
        self.min_dense = min_dense
        self.min_bm25 = min_bm25  # 0 disables the BM25 rescue: the cosine alone decides

    def decide(self, hits: Sequence[Hit]) -> GateDecision:
        real = evidence(hits)
        feats: dict[str, float] = {"n_hits": float(len(hits)), "n_evidence": float(len(real))}
        if not real:
            return GateDecision(True, "no_evidence", feats)
        top = real[0]  # hits come ranked by fused score
        top_dense = top.dense_score if top.dense_score is not None else 0.0
        top_bm25 = top.bm25_score if top.bm25_score is not None else 0.0
        feats.update(
            top_dense=top_dense,
            top_bm25=top_bm25,
            max_dense=max((h.dense_score or 0.0) for h in real),
            max_bm25=max((h.bm25_score or 0.0) for h in real),
        )
        low_dense = top_dense < self.min_dense
        low_bm25 = self.min_bm25 <= 0 or top_bm25 < self.min_bm25
        if low_dense and low_bm25:
            return GateDecision(True, "low_similarity", feats)
        return GateDecision(False, "ok", feats)
