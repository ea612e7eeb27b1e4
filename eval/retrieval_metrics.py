"""Retrieval scoring. Hit rule: whitespace-stripped evidence inside whitespace-stripped chunk text."""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.types import Chunk
from eval.dataset import EvalItem

KS = (1, 3, 5, 10)
_WS = re.compile(r"\s+")


def squash(text: str) -> str:
    return _WS.sub("", text)


def chunk_hits(chunk: Chunk, item: EvalItem) -> bool:
    body = squash(chunk.indexed_text)
    return any(squash(e) in body for e in item.evidence if e.strip())


def first_hit_rank(ranked: Sequence[Chunk], item: EvalItem) -> int | None:
    for rank, chunk in enumerate(ranked, 1):
        if chunk_hits(chunk, item):
            return rank
    return None


def strict_multi(ranked: Sequence[Chunk], item: EvalItem, k: int) -> bool:
    """Every listed source file has a hitting chunk among the top k."""
    found = {c.doc_id for c in ranked[:k] if chunk_hits(c, item)}
    return all(src in found for src in item.sources)


def score_retrieval(results: list[tuple[EvalItem, list[Chunk]]]) -> dict[str, object]:
    answerable = [(i, r) for i, r in results if i.answerable]
    report: dict[str, object] = _block(answerable)
    kinds = sorted({i.kind for i, _ in answerable})
    report["by_kind"] = {k: _block([(i, r) for i, r in answerable if i.kind == k]) for k in kinds}
    return report


def _block(results: list[tuple[EvalItem, list[Chunk]]]) -> dict[str, object]:
    n = len(results)
    out: dict[str, object] = {"n": n}
    ranks = [first_hit_rank(r, i) for i, r in results]
    for k in KS:
        out[f"hit@{k}"] = round(sum(1 for x in ranks if x and x <= k) / n, 4) if n else None
    out["mrr@10"] = round(sum(1 / x for x in ranks if x and x <= 10) / n, 4) if n else None
    multi = [(i, r) for i, r in results if i.kind == "multi"]
    out["strict_multi@10"] = (
        round(sum(strict_multi(r, i, 10) for i, r in multi) / len(multi), 4) if multi else None
    )
    return out
