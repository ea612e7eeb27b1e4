"""The pipeline's typed stage outputs (`Plan` before generation, `Outcome` after) and the one
place they become the API's `AskResponse`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from contract.ask import (
    AskResponse,
    EvidenceOut,
    RefusalReason,
    RemovedSentence,
    Source,
    SupportFigure,
    Timings,
)
from contract.practice import RelatedQuestion
from core.errata import notes
from core.types import Hit
from service.gate import GateDecision
from service.generators.base import GenerationRequest
from service.grounding import Final, Grounding
from service.rewrite import Rewrite


@dataclass(frozen=True)
class Plan:
    """Everything decided before generation; `request` is None when no LLM call is needed
    (refused, or the extractive composition is the answer)."""

    rewrite: Rewrite
    hits: tuple[Hit, ...]
    index_version: str
    gate: GateDecision
    grounding: Grounding
    request: GenerationRequest | None
    sources: tuple[Source, ...]
    started: float  # perf_counter at request start
    retrieve_s: float

    @property
    def refused(self) -> bool:
        return self.grounding.refusal is not None


@dataclass(frozen=True)
class Outcome:
    answer: str
    refused: bool
    refusal_reason: RefusalReason | None
    citations: tuple[Source, ...]
    generate_s: float
    final: Final | None = None


def to_response(
    plan: Plan,
    out: Outcome,
    total_s: float,
    model: str,
    request_id: str,
    related: Sequence[RelatedQuestion] = (),
) -> AskResponse:
    g, final = plan.grounding, out.final
    return AskResponse(
        answer=out.answer,
        refused=out.refused,
        refusal_reason=out.refusal_reason,
        missing_terms=[t.text for t in g.terms.absent],
        support=SupportFigure(**final.support.as_dict())  # type: ignore[arg-type]
        if final is not None and not out.refused
        else None,
        evidence=[
            EvidenceOut(
                n=u.n,
                text=u.text,
                file=u.file,
                heading_path=list(u.heading_path),
                start=u.start,
                end=u.end,
            )
            for u in (g.evidence.units if not out.refused else ())
        ],  # fmt: skip
        removed=[RemovedSentence(text=v.sentence, reason=v.reason) for v in final.removed]
        if final is not None
        else [],
        related=list(related),
        question_used=plan.rewrite.standalone,
        citations=list(out.citations),
        sources=list(plan.sources),
        timings_ms=Timings(
            retrieve=round(plan.retrieve_s * 1000, 2),
            generate=round(out.generate_s * 1000, 2),
            total=round(total_s * 1000, 2),
        ),
        model=model,
        index_version=plan.index_version,
        request_id=request_id,
    )


def source_from_hit(n: int, hit: Hit) -> Source:
    """A retrieved hit as the API's passage [n]. Here, not on Source: the contract imports
    nothing from core, so a client installs it without the retrieval stack."""
    c = hit.chunk
    return Source(
        n=n,
        chunk_id=c.chunk_id,
        file=c.doc_id,
        heading_path=list(c.heading_path),
        start=c.start,
        end=c.end,
        text=c.text,
        score=round(hit.score, 6),
        duplicates=list(hit.duplicates),
        errata=notes([c]),
    )
