"""BM25 tokens: jieba words for Chinese, whole lower-cased words for English."""

from __future__ import annotations

import logging
import re
import threading

import jieba

from core.text import EN_STOPWORDS, ZH_STOPWORDS

jieba.setLogLevel(logging.WARNING)  # its dictionary-building chatter is not a warning
_init_lock = threading.Lock()
_initialised = False

# What BM25 leaves out: the Chinese and English question scaffolding of core/text.py (left in,
# it matches every "什么是…" heading alike).
STOPWORDS = ZH_STOPWORDS | EN_STOPWORDS
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


def words(text: str) -> list[str]:
    """jieba's words of `text`, in order, nothing left out (the tokens above drop stop words
    and add the pieces of long words)."""
    _ensure_init()
    return [w for w in jieba.cut(text) if w.strip()]
