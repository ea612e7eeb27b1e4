"""Check every sentence of an answer against the passage it cites; drop what isn't supported.

A citation must mean "this passage says so". The check is lexical, fast and strict, because a
wrong sentence costs more than a missing one:

- every number and English name in the sentence must occur in a cited passage;
- most of its Chinese bigrams (the words that carry meaning, not the glue) must occur there too;
- its polarity must match the closest cited sentence ("不需要" vs "需要" flips a fact);
- a sentence with no citation is unsupported, unless it only says what the notes don't cover.

English sentences about Chinese passages can't be checked by shared characters; they need the
numbers and names to match and a cross-lingual embedding similarity (`similarity`, optional).
The eval judges with a different model (an LLM's P(是)), so this check never grades itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from core.text import (
    CITATION,
    EN_STOPWORDS,
    NOT_COVERED,
    bigrams,
    counts,
    has_cjk,
    latin_terms,
    numbers,
    sentence_spans,
)
from core.units import split_units
from service.keyterms import squash

MIN_BIGRAM_SHARE = 0.6  # of a Chinese sentence's content bigrams found in the cited passage
MIN_SIMILARITY = 0.86  # e5 cosine, English sentence vs the closest cited sentence
# Glue bigrams an LLM adds when it rephrases ("主要是", "可以通过"): not evidence of anything.
_GLUE = frozenset(
    [
        "主要",
        "要是",
        "可以",
        "以通",
        "通过",
        "因此",
        "所以",
        "这是",
        "就是",
        "一种",
        "一个",
        "我们",
        "进行",
        "包括",
        "以及",
        "其中",
        "如下",
        "以下",
        "方面",
        "的是",
        "是指",
        "指的",
        "这些",
        "这种",
        "它们",
        "他们",
        "能够",
        "从而",
        "然后",
        "此外",
        "另外",
        "同时",
        "笔记",
        "资料",
    ]
)
# Negations that flip a fact; not the 不/未 inside 不同, 不断, 未来 and the like.
_NEGATION = re.compile(
    r"不(?![同断仅少错久管过但])|没有|无法|并无|毫无|并非|未(?![来知])|无需|n't|\bnot\b|\bnever\b",
    re.I,
)
_EN_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Verdict:
    sentence: str
    cites: tuple[int, ...]
    supported: bool
    reason: str  # "ok" | "uncited" | "unknown_term" | "low_overlap" | "polarity" | "gap"
    score: float


def _closest(sentence: str, passage: str) -> str:
    g = bigrams(sentence)
    best, best_share = "", -1.0
    for u in split_units(passage):
        share = len(g & bigrams(u.text)) / max(len(g), 1)
        if share > best_share:
            best, best_share = u.text, share
    return best


def negated(text: str) -> bool:
    """Says a fact does not hold ("不需要", "无法", "not"); 不同/不断/未来 and the like don't."""
    return _NEGATION.search(text) is not None


class SupportChecker:
    def __init__(
        self,
        similarity: Callable[[str, str], float] | None = None,
        min_share: float = MIN_BIGRAM_SHARE,
        min_similarity: float = MIN_SIMILARITY,
    ) -> None:
        self.similarity = similarity
        self.min_share = min_share
        self.min_similarity = min_similarity

    def verdict(self, sentence: str, cites: Sequence[int], passages: Mapping[int, str]) -> Verdict:
        bare = CITATION.sub("", sentence).strip()
        cites = tuple(n for n in cites if n in passages)
        if NOT_COVERED.search(bare) and len(bare) <= 80:
            return Verdict(bare, cites, True, "gap", 1.0)
        if not cites:
            return Verdict(bare, cites, False, "uncited", 0.0)
        cited = "\n".join(passages[n] for n in cites)
        hay = squash(cited)
        hard = [t for t in latin_terms(bare) if len(t) > 1] + numbers(bare) + counts(bare)
        if any(squash(t) not in hay for t in hard):
            return Verdict(bare, cites, False, "unknown_term", 0.0)
        closest = _closest(bare, cited)
        # A negation the passage never uses, or a dropped one where the closest sentence has it.
        flipped = negated(bare)
        if (flipped and not negated(cited)) or (not flipped and negated(closest)):
            return Verdict(bare, cites, False, "polarity", 0.0)
        if has_cjk(bare):
            own = {g for g in bigrams(bare) if has_cjk(g)} - _GLUE
            if not own:
                return Verdict(bare, cites, True, "ok", 1.0)
            share = len(own & bigrams(cited)) / len(own)
            ok = share >= self.min_share
            return Verdict(bare, cites, ok, "ok" if ok else "low_overlap", share)
        # English about English text (the notes quote LangChain's docs): shared words.
        words = {w for w in _EN_WORD.findall(bare.lower()) if w not in EN_STOPWORDS}
        if words:
            share = len(words & set(_EN_WORD.findall(cited.lower()))) / len(words)
            if share >= self.min_share:
                return Verdict(bare, cites, True, "ok", share)
        if self.similarity is None:  # no way to compare across languages: don't vouch for it
            return Verdict(bare, cites, False, "low_overlap", 0.0)
        sim = self.similarity(bare, closest)
        ok = sim >= self.min_similarity
        return Verdict(bare, cites, ok, "ok" if ok else "low_overlap", sim)


def sentences(text: str) -> list[tuple[str, tuple[int, ...]]]:
    """Split an answer into (sentence with its markers, cited numbers)."""
    out = []
    for a, b in sentence_spans(text):
        s = text[a:b].strip().lstrip("-*• ").strip()
        if len(CITATION.sub("", s).strip()) < 2:
            continue
        cites = tuple(int(x) for c in CITATION.findall(s) for x in re.findall(r"\d+", c))
        out.append((s, cites))
    return out
