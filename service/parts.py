"""A question in several parts ("QLoRA 的思路是什么？LoRA 本身有哪些局限？") is searched part by part.

One search for the whole question finds the sections of whichever part dominates the words;
the other part's section often misses the top k, and no evidence step can recover a passage
that was never retrieved. So the whole question is searched, and each part that names
something of its own, and the hits are interleaved rank by rank: every part's best passage is
among the first, and the first hit is still the whole question's best (the score gate reads it).

A part that names nothing ("中文多吗？", "用来解决什么问题？", "两者同时开启谁先生效？") leans on the
parts before it; searched alone it finds whatever mentions 中文. It stands as the question up
to and including it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from core.types import Hit
from service.keyterms import key_terms

MIN_PART_CHARS = 4  # "为什么？" alone is no part: it leans on the sentence before


def question_parts(question: str) -> list[str]:
    """The question's parts, split after each question mark; [question] when it has one part."""
    parts = [p.strip() for p in re.split(r"(?<=[？?])", question)]
    parts = [p for p in parts if len(p) >= MIN_PART_CHARS]
    return parts if len(parts) >= 2 else [question]


def standalone_parts(question: str) -> list[str]:
    """`question_parts`, each readable alone: a part with no name or number of its own (no hard
    key term) becomes the question's text up to its end."""
    parts = question_parts(question)
    if len(parts) == 1:
        return parts
    out: list[str] = []
    for part in parts:
        if any(t.hard for t in key_terms(part)) or not out:
            out.append(part)
        else:
            end = question.find(part) + len(part)
            out.append(question[:end].strip())
    return out


def search_parts(search: Callable[[str, int], Sequence[Hit]], question: str, k: int) -> list[Hit]:
    """`search` for `question` and each of its standalone parts, interleaved and de-duplicated,
    k hits in all."""
    queries = list(dict.fromkeys([question, *standalone_parts(question)]))
    if len(queries) == 1:
        return list(search(question, k))
    ranked = [list(search(q, k)) for q in queries]
    out: list[Hit] = []
    seen: set[str] = set()
    for rank in range(k):
        for hits in ranked:
            if rank < len(hits) and hits[rank].chunk.chunk_id not in seen and len(out) < k:
                seen.add(hits[rank].chunk.chunk_id)
                hit = hits[rank]
                # Scores from different searches don't compare; the merged order is the
                # ranking, so a score never exceeds the one ranked above it (evidence picks
                # its section by score).
                if out and hit.score > out[-1].score:
                    hit = replace(hit, score=out[-1].score)
                out.append(hit)
    return out
