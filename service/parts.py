"""A question in several parts ("QLoRA 的思路是什么？LoRA 本身有哪些局限？") is searched part by part.

One search for the whole question finds the sections of whichever part dominates the words;
the other part's section often misses the top k, and no evidence step can recover a passage
that was never retrieved. So the whole question is searched, and each part that names
something of its own, and the hits are interleaved rank by rank: every part's best passage is
among the first, and the first hit is still the whole question's best (the score gate reads it).

A part that names nothing ("中文多吗？", "可以分成哪几类？", "两者同时开启谁先生效？") leans on what
came before; searched alone it finds whatever mentions 中文. It is searched with the heading
the whole question's search found first ("什么是大模型幻觉？ 可以分成哪几类？" finds "幻觉有哪些
不同类型？", which the question's own words, "AI 一本正经地胡说八道…", never reach).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from core.errata import retracted
from core.text import ASIDE
from core.types import Hit
from service.keyterms import key_terms

MIN_PART_CHARS = 4  # "为什么？" alone is no part: it leans on the sentence before
OWN_WORDS = 4  # key terms: "中文多吗？" has one, "实际的指令微调语料长什么样、要多少条？" five
_POINTS_BACK = re.compile(r"两者|二者|它|其|这|那|该|此|前者|后者|上述")
# A part that only asks what the notes say ("笔记怎么说？", "笔记是怎么看的？", "What do the notes
# say?") asks the part before again: it joins it, and the question stays one question.
_NOTES_SAY = re.compile(
    r"(?:那|那么)?(?:这份|几份|两份)?(?:笔记|资料|文中|原文)(?:里|中|上)?(?:是|又是)?"
    r"(?:怎么|怎样|如何)(?:说|看|讲|解释|描述)的?[？?]"
    r"|(?:and\s+)?what\s+do\s+the\s+notes\s+say\s*\??",
    re.I,
)


def question_parts(question: str) -> list[str]:
    """The question's parts, split after each question mark; [question] when it has one part."""
    parts: list[str] = []
    for p in (p.strip() for p in re.split(r"(?<=[？?])", question)):
        # "…？（复读机）": the glossary's gloss belongs to the part before, and so does
        # "笔记怎么说？"
        if parts and (ASIDE.fullmatch(p) or _NOTES_SAY.fullmatch(p)):  # asks nothing new
            parts[-1] += p
        elif len(p) >= MIN_PART_CHARS:
            parts.append(p)
    return parts if len(parts) >= 2 else [question]


def standalone_parts(question: str, topic: str = "") -> list[str]:
    """`question_parts`, each readable alone: a part with no name or number of its own (no hard
    key term) becomes `topic` (the heading the whole question's search found first) and the
    part, or without a topic the question's text up to its end."""
    parts = question_parts(question)
    if len(parts) == 1:
        return parts
    out: list[str] = []
    for part in parts:
        if any(t.hard for t in key_terms(part)) or not out:
            out.append(part)
            continue
        if topic:
            out.append(f"{topic} {part}")
        else:
            end = question.find(part) + len(part)
            out.append(question[:end].strip())
        # ... but one that asks in words of its own and points back to nothing ("实际的指令
        # 微调语料长什么样、要多少条？") is also searched alone: the topic's words outweigh its own
        if len(key_terms(part)) >= OWN_WORDS and not _POINTS_BACK.search(part):
            out.append(part)
    return out


def topic_of(hits: Sequence[Hit]) -> str:
    """The heading of the first hit: what a part that names nothing is about."""
    return hits[0].chunk.heading_path[-1] if hits and hits[0].chunk.heading_path else ""


def search_parts(search: Callable[[str, int], Sequence[Hit]], question: str, k: int) -> list[Hit]:
    """`search` for `question` and each of its standalone parts, interleaved and de-duplicated,
    k hits in all."""
    if len(question_parts(question)) == 1:
        return list(search(question, k))
    whole = list(search(question, k))
    queries = list(dict.fromkeys(standalone_parts(question, topic_of(whole))))
    ranked = [whole, *(list(search(q, k)) for q in queries if q != question)]
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


def search_past_retracted(
    search: Callable[[str, int], Sequence[Hit]], question: str, k: int
) -> list[Hit]:
    """`search_parts`, then, for a question in parts, as many hits again as the first k held
    sections the notes get wrong as a whole (corpus/overrides.toml errata): those never give
    evidence, only the editor's note, so they took the slots of passages that may answer a
    part. The added hits come last, so the first k keep their citation numbers. ("什么时候需要用
    Example Selectors？" after a question on Prompt Templates lost 004's answer to three
    retracted passages of 001.)"""
    hits = search_parts(search, question, k)
    wrong = sum(retracted(h.chunk) for h in hits)
    # a whole question's answer is then the editor's note, and more hits only pad it (a third
    # "closest" section under "横向比较几种 PEFT 方法时，为什么还得把基座模型的规模考虑进去？")
    if not wrong or len(question_parts(question)) < 2:
        return hits
    seen = {h.chunk.chunk_id for h in hits}
    more = [h for h in search_parts(search, question, k + wrong) if h.chunk.chunk_id not in seen]
    floor = hits[-1].score  # ranked below the first k, as in `search_parts`
    added = [h for h in more if not retracted(h.chunk)][:wrong]
    return hits + [replace(h, score=min(h.score, floor)) for h in added]
