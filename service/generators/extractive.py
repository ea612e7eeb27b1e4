"""An answer without an LLM: the passages' sentences that best overlap the question, cited.

It can't paraphrase or reason, but it never invents anything, needs no model and answers in
microseconds, so it is the fallback when no LLM is configured or reachable.
"""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

from core.text import CJK_RUN, EN_STOPWORDS, REFUSAL_EN, REFUSAL_ZH, TERMINAL, is_english
from core.units import split_units
from service.generators.base import GenerationRequest, estimate_tokens

__all__ = ["REFUSAL_EN", "REFUSAL_ZH", "ExtractiveGenerator"]

_WORD = re.compile(r"[a-z][a-z0-9+#.\-]*[a-z0-9+#]|[a-z]", re.IGNORECASE)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Bigrams that only say "this is a question"; they match everything.
_QUESTION_BIGRAMS = _words(
    "什么 么是 是什 为什 如何 怎么 怎样 哪些 哪个 一下 请问 介绍 说说 讲讲 有哪 有什 "
    "的是 是否 可以 能否 么样 区别 的区 别是 吗"
)
MIN_SCORE = 2.0
MAX_SENTENCES = 4


def features(text: str, *, question: bool = False) -> set[str]:
    """Character bigrams of each CJK run (single chars for a 1-char run) + English words."""
    feats: set[str] = set()
    for run in CJK_RUN.findall(text):
        if len(run) == 1:
            feats.add(run)
        feats.update(run[i : i + 2] for i in range(len(run) - 1))
    feats.update("w:" + w.lower() for w in _WORD.findall(text) if w.lower() not in EN_STOPWORDS)
    if question:
        feats -= _QUESTION_BIGRAMS
    return feats


def _weight(feats: set[str]) -> float:
    # An English term (LoRA, RLHF, KV) is more specific than one Chinese bigram.
    return sum(2.0 if f.startswith("w:") else 1.0 for f in feats)


def split_sentences(text: str) -> list[str]:
    """The passage's units (core.units.split_units: sentences and list items; headings, crumbs
    and table rules skipped), less lead-ins ("包括以下几个：") and questions: neither answers."""
    return [u.text for u in split_units(text) if u.text[-1] not in "：:？?"]


@dataclass(frozen=True)
class _Scored:
    score: float
    order: tuple[int, int]
    n: int
    text: str


def select(req: GenerationRequest) -> list[_Scored]:
    q = features(req.question, question=True)
    if not q:
        return []
    scored: list[_Scored] = []
    seen: set[str] = set()
    for pi, p in enumerate(req.passages):
        head_bonus = 0.5 * _weight(q & features(" ".join(p.heading_path)))
        for si, sent in enumerate(split_sentences(p.text)):
            if sent in seen:
                continue
            seen.add(sent)
            own = _weight(q & features(sent))
            if own == 0:
                continue
            # Mild length normalisation: a long sentence matches more bigrams by chance.
            score = (own + head_bonus) / (1.0 + 0.15 * math.log1p(len(sent) / 40))
            scored.append(_Scored(score, (pi, si), p.n, sent))
    if not scored:
        return []
    best = max(s.score for s in scored)
    if best < MIN_SCORE:
        return []
    floor = max(MIN_SCORE * 0.75, best * 0.3)
    top = sorted(scored, key=lambda s: (-s.score, len(s.text)))[:MAX_SENTENCES]
    keep = [s for s in top if s.score >= floor] or top[:1]
    return sorted(keep, key=lambda s: s.order)


def compose(req: GenerationRequest) -> str:
    picked = select(req)
    if not picked:
        return REFUSAL_EN if is_english(req.question) else REFUSAL_ZH
    parts = []
    for s in picked:
        text = s.text if s.text[-1] in TERMINAL else s.text + ("." if is_english(s.text) else "。")
        parts.append(f"{text}[{s.n}]")
    sep = " " if is_english(req.question) else ""
    return sep.join(parts)


class ExtractiveGenerator:
    name = "extractive"
    model = "extractive"
    context_window = 1_000_000

    def __init__(self, piece_chars: int = 8) -> None:
        self._piece = piece_chars

    async def complete(self, req: GenerationRequest) -> str:
        return compose(req)

    async def stream(self, req: GenerationRequest) -> AsyncIterator[str]:
        # Small pieces, but a citation marker like [12] always arrives whole.
        for piece in re.findall(rf"\[\d+\]|[^\[]{{1,{self._piece}}}|\[", compose(req)):
            yield piece
            await asyncio.sleep(0)

    async def check(self) -> None:
        return None

    def count_tokens(self, text: str) -> int:
        return estimate_tokens(text)

    async def aclose(self) -> None:
        return None  # holds nothing
