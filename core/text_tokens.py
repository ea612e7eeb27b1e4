"""BM25 tokens: jieba words for Chinese, whole lower-cased words for English."""

from __future__ import annotations

import logging
import re
import threading

import jieba

jieba.setLogLevel(logging.WARNING)  # its dictionary-building chatter is not a warning
_init_lock = threading.Lock()
_initialised = False

# Question scaffolding carries no topic; left in, it matches every "什么是…" heading alike.
STOPWORDS = frozenset(
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
        "the",
        "a",
        "an",
        "of",
        "to",
        "in",
        "on",
        "for",
        "is",
        "are",
        "was",
        "be",
        "what",
        "how",
        "why",
        "which",
        "and",
        "or",
        "with",
        "does",
        "do",
    ]
)
_WORD = re.compile(r"[a-z0-9][a-z0-9_\-.+]*|[\u4e00-\u9fff]+", re.IGNORECASE)


def _ensure_init() -> None:
    global _initialised
    if not _initialised:
        with _init_lock:
            if not _initialised:
                jieba.initialize()
                _initialised = True


def tokenize(text: str) -> list[str]:
    _ensure_init()
    tokens: list[str] = []
    for match in _WORD.finditer(text):
        piece = match.group(0)
        if piece[0].isascii():
            token = piece.lower().strip(".-")
            if token and token not in STOPWORDS:
                tokens.append(token)
            continue
        for word in jieba.cut_for_search(piece):
            if word.strip() and word not in STOPWORDS:
                tokens.append(word)
    return tokens
