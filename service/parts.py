"""A question in several parts ("QLoRA 的思路是什么？LoRA 本身有哪些局限？") is searched part by part.

One search for the whole question finds the sections of whichever part dominates the words;
the other part's section often misses the top k, and no evidence step can recover a passage
that was never retrieved. Each part is searched on its own and the hits are interleaved rank by
rank, so every part's best passage is among the first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from core.types import Hit

MIN_PART_CHARS = 4  # "为什么？" alone is no part: it leans on the sentence before


def question_parts(question: str) -> list[str]:
    """The question's parts, split after each question mark; [question] when it has one part."""
    parts = [p.strip() for p in re.split(r"(?<=[？?])", question)]
    parts = [p for p in parts if len(p) >= MIN_PART_CHARS]
    return parts if len(parts) >= 2 else [question]


def search_parts(search: Callable[[str, int], Sequence[Hit]], question: str, k: int) -> list[Hit]:
    """`search` for each part of `question`, interleaved and de-duplicated, k hits in all."""
    parts = question_parts(question)
    if len(parts) == 1:
        return list(search(question, k))
    ranked = [list(search(p, k)) for p in parts]
    out: list[Hit] = []
    seen: set[str] = set()
    for rank in range(k):
        for hits in ranked:
            if rank < len(hits) and hits[rank].chunk.chunk_id not in seen and len(out) < k:
                seen.add(hits[rank].chunk.chunk_id)
                out.append(hits[rank])
    return out
