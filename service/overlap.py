"""Overlap between a question and a text: the vocabulary evidence selection scores with.

CJK bigrams plus English words; the bigrams that only say "this is a question" (什么, 如何…)
don't count, since they match every heading alike.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet

from core.text import EN_STOPWORDS, bigrams, latin_terms

# fmt: off
QUESTION_BIGRAMS = frozenset([
    "什么", "么是", "是什", "为什", "如何", "怎么", "怎样", "哪些", "哪个", "一下", "请问", "介绍",
    "说说", "讲讲", "有哪", "有什", "的是", "是否", "可以", "能否", "么样", "区别", "的区", "别是",
    "吗", "简述", "简单", "单介", "下一", "有哪", "哪几", "几种",
])
# fmt: on


def features(text: str, *, question: bool = False) -> set[str]:
    """CJK bigrams plus English words (as "w:word"), the vocabulary of overlap scoring."""
    feats = set(bigrams("".join(ch for ch in text if not ch.isascii()))) if text else set()
    feats.update("w:" + w.lower() for w in latin_terms(text) if w.lower() not in EN_STOPWORDS)
    if question:
        feats -= QUESTION_BIGRAMS
    return feats


def weight(feats: AbstractSet[str]) -> float:
    # An English term (LoRA, RLHF, KV) is more specific than one Chinese bigram.
    return sum(2.0 if f.startswith("w:") else 1.0 for f in feats)


def heading_match(q: set[str], heading: str) -> float:
    """How much of the question the heading asks, and how much of the heading the question asks."""
    h = features(heading, question=True)
    if not q or not h:
        return 0.0
    shared = weight(q & h)
    return min(shared / weight(q), shared / weight(h))
