"""Text helpers shared by every stage: one of each, so the stages agree on what a word is.

- `has_cjk` / `is_english`: the language test (the notes are Chinese with English terms).
- `normalise`, `bigrams`: the comparison form used by evidence de-duplication and the
  support check (NFKC folds a file's half-width copy of a passage onto the full-width original).
- `CITATION`: the `[n]` marker family that small models actually write.
"""

from __future__ import annotations

import re
import unicodedata

# CJK Unified Ideographs, extension A and the compatibility block: what "Chinese" means here.
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
# [1]  [1, 2]  [1][2]  【1】  ［1］
CITATION = re.compile(r"[\[【［]\s*(\d{1,3}(?:\s*[,，、]\s*\d{1,3})*)\s*[\]】］]")
# A number as a fact: 284, 3.5, 30万, 8/7, 175B, 50%. Digits inside a name (GPT-3) are not.
NUMBER = re.compile(r"(?<![A-Za-z0-9\-.])\d+(?:[.,/]\d+)*\s*(?:%|万|亿|千|百|[KMBT]\b)?")
# English terms: words, acronyms, names with digits or dashes (LoRA, GPT-3, KV-Cache, p-tuning).
LATIN_TERM = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[\-_.+][A-Za-z0-9]+)*\+*")

BOLD = re.compile(r"\*\*|__")  # markdown emphasis, not part of what a sentence says
# a bracketed aside ("（复读机）", " (Parameter Sharing)"), with the space before it
ASIDE = re.compile(r"\s*[（(][^（）()]*[）)]")
TERMINAL = "。！？；!?.…"


# The plain "not in the notes", for the pipeline and the extractive generator alike.
# "The notes don't cover it", however the composer or a model words it: a statement about the
# notes, not a claim about the topic (the support check passes it; a reply that is only this is
# a refusal). The eval keeps its own list (eval/claims.py), so its count doesn't move with ours.
NOT_COVERED = re.compile(
    r"资料中没有相关信息|没有相关信息|没有相关内容|未提及|没有提及|没有提到|未涉及|没有涉及"
    r"|笔记(?:里|中)?没有|资料中没有|无法(?:根据|从).{0,12}(?:回答|找到)"
    r"|(?:do|does|did) not (?:cover|mention|contain)|(?:don't|doesn't) (?:cover|mention)"
    r"|not covered|no relevant information",
    re.IGNORECASE,
)
REFUSAL_ZH = "资料中没有相关信息。"
REFUSAL_EN = "The notes do not cover this."

# Chinese function words and question scaffolding ("什么", "介绍一下"): jieba words that carry
# no topic. BM25 (core/text_tokens.py) and the key-term check leave them out.
ZH_STOPWORDS = frozenset(
    [
        "的",
        "了",
        "是",
        "在",
        "和",
        "与",
        "及",
        "或",
        "吗",
        "呢",
        "吧",
        "啊",
        "么",
        "什么",
        "怎么",
        "怎样",
        "如何",
        "为什么",
        "哪些",
        "哪个",
        "一下",
        "一些",
        "有",
        "有哪些",
        "什么样",
        "请",
        "介绍",
        "介绍一下",
        "说说",
        "讲讲",
        "谈谈",
        "这个",
        "那个",
        "它",
        "他",
        "她",
        "我们",
        "你",
        "我",
        "可以",
        "能",
        "会",
        "要",
        "对",
        "中",
        "上",
        "下",
        "为",
        "是否",
        "以及",
        "而",
        "就",
        "都",
        "也",
        "还",
        "被",
        "把",
        "让",
        "给",
        "从",
        "到",
    ]
)

# English words that carry no topic: question scaffolding and glue. One list for the stages
# that compare English words (evidence scoring, key terms, the support check).
EN_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "could",
        "do",
        "does",
        "did",
        "for",
        "from",
        "how",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "the",
        "to",
        "was",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "with",
        "you",
        "your",
        "i",
        "me",
        "my",
        "we",
        "about",
        "explain",
        "describe",
        "tell",
        "between",
        "difference",
        "compare",
        "list",
        "give",
        "name",
        "please",
        "vs",
        "versus",
        "than",
        "that",
        "this",
        "these",
        "those",
        "their",
        "has",
        "have",
        "had",
        "not",
        "no",
        "yes",
        "if",
        "then",
        "so",
        "should",
        "would",
        "will",
    ]
)


def has_cjk(text: str) -> bool:
    return CJK.search(text) is not None


def is_english(text: str) -> bool:
    """No Chinese character at all: answer in English."""
    return not has_cjk(text)


# A Chinese character says about as much as an English word of four or five letters: text whose
# Chinese characters are under this share of (characters + letters / 4) is written in English,
# with Chinese terms at most ("…what is 复读机问题?"), or is code.
LATIN_TEXT = 0.3


def mainly_latin(text: str) -> bool:
    """Written in Latin script for the most part: the notes' English passages (LangChain's), an
    English question with the glossary's Chinese terms added. (`is_english` is stricter: the
    language an answer is said in.)"""
    cjk = len(CJK.findall(text))
    letters = sum(ch.isascii() and ch.isalpha() for ch in text)
    return cjk < LATIN_TEXT * (cjk + letters / 4)


def normalise(text: str) -> str:
    """Comparison form: NFKC (full/half width), lower case, no spaces, no markdown emphasis."""
    text = unicodedata.normalize("NFKC", BOLD.sub("", text)).lower()
    return re.sub(r"\s+", "", text)


def bigrams(text: str) -> set[str]:
    """Character bigrams of the normalised text, punctuation removed."""
    s = re.sub(r"[^\w\u3400-\u9fff]", "", normalise(text))
    if len(s) == 1:
        return {s}
    return {s[i : i + 2] for i in range(len(s) - 1)}


def latin_terms(text: str) -> list[str]:
    return LATIN_TERM.findall(text)


def numbers(text: str) -> list[str]:
    return [m.group(0).replace(" ", "") for m in NUMBER.finditer(text)]


# A count in Chinese numerals ("五种", "两个阶段"): a fact like "5 种". 一 is left out ("一种方法"
# is an article), and so is 几 ("几个" counts nothing).
_COUNT = re.compile(
    r"(?<![一二三四五六七八九十两第])[二三四五六七八九十两]+\s*(?:种|个|类|项|点|步|层|条|倍|大|部分|方面|阶段)"
)


def counts(text: str) -> list[str]:
    return [m.group(0).replace(" ", "") for m in _COUNT.finditer(text)]


def ends_sentence(text: str) -> str:
    """`text` with a terminal mark, in the script of its last character."""
    if not text or text[-1] in TERMINAL:
        return text
    return text + ("。" if has_cjk(text[-1]) or text[-1] in "）」" else ".")


# An answer's sentences end at 。！？；!? or a line end, or at a "." followed by a space, a
# citation marker or the end (so "0.5" and "v1.5" stay whole). A closing quote or bracket and
# the citation markers right after the end belong to the sentence before ("…很重要。[2]").
_ANSWER_END = re.compile(r"[。！？；!?]+|\.+(?=\s|$|[\[【［])|\n+")
_ANSWER_TRAILER = re.compile(r"[”’\"」』）)]*(?:\s*" + CITATION.pattern + r")*")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """An answer's sentences as (start, end) offsets, markers included, blank ones dropped: the
    one splitter of the support check, the eval's claims and the UI's highlighting."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _ANSWER_END.finditer(text):
        if m.start() < start:  # inside a trailer already taken
            continue
        end = _ANSWER_TRAILER.match(text, m.end())
        stop = end.end() if end else m.end()
        spans.append((start, stop))
        start = stop
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]
