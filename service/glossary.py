"""The notes' own terms for what people say in other words (corpus/glossary.toml).

"为什么大模型会一直重复同一句话？" is the notes' "复读机问题", and "模型编造内容" their "幻觉":
the notes name these by their jargon, and neither BM25 nor the heading match can see it. A
question that uses one of the listed phrases is searched and matched with the term added, in
brackets ("…（复读机）"), once; the words the user typed stay as they are. The notes' own English
glosses ("控制标记 (Control Tokens)") are such phrases too, for English questions
(`notes_glossary`, built from the index the question is searched in).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import CorpusError
from core.text import is_english
from core.text_tokens import STOPWORDS, words
from service.asks import without_excepted

# "控制标记 (Control Tokens)", "灾难性遗忘（Catastrophic Forgetting）": the notes gloss their
# Chinese terms in English. An English question that says "control tokens" is searched with
# 控制标记 too: the notes' passage is Chinese, and English passages on "tokens" outrank it.
_GLOSS = re.compile(
    r"([\u4e00-\u9fff]{2,})\s*[（(]\s*([A-Za-z][A-Za-z\-]*(?: [A-Za-z][A-Za-z\-]*){0,4})\s*[)）]"
)
MAX_TERM = 6  # characters of the Chinese before the bracket: the term, not its sentence
MIN_GLOSS = 6  # letters: "LLM-based" and shorter say little
# words that end a term's run back from the bracket: "…可以使用教师强制" is 教师强制
_NOT_TERM = frozenset(
    ["使用", "包括", "通过", "利用", "代表", "为了", "解决", "采用", "称为", "叫做", "进行"]
    + ["如", "和", "或", "与", "及", "了", "的"]
)

GLOSSARY_NAME = "glossary.toml"


@dataclass(frozen=True)
class Glossary:
    terms: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (the notes' term, phrases said)

    def __add__(self, other: Glossary) -> Glossary:
        return Glossary(self.terms + other.terms)

    def expand(self, question: str) -> str:
        """`question`, with the notes' term of each phrase it uses, in brackets at the end; not
        for what it sets aside ("Apart from shrinking the batch size, …": 批处理大小 led the
        search to the batch-size section, away from the one on the data-loading side)."""
        low = without_excepted(question).lower()
        english = is_english(question)
        add = [
            term for term, said in self.terms
            if term not in question and any(_uses(low, p.lower(), english) for p in said)
        ]  # fmt: skip
        # once each: the notes' own glosses may name a term the file lists too ("Pre-training")
        return f"{question}（{'、'.join(dict.fromkeys(add))}）" if add else question


def notes_glossary(texts: Iterable[str]) -> Glossary:
    """The notes' own English glosses of their Chinese terms, as a glossary for English
    questions: each gloss of MIN_GLOSS letters or more, with the term it glosses."""
    terms: dict[str, set[str]] = {}
    for text in texts:
        for before, gloss in _GLOSS.findall(text):
            kept: list[str] = []
            for w in reversed(words(before[-MAX_TERM * 2 :])):
                if w in STOPWORDS or w in _NOT_TERM or len("".join(kept) + w) > MAX_TERM:
                    break
                kept.insert(0, w)
            term = "".join(kept)
            # a phrase ("Catastrophic Forgetting", "teacher forcing", "Prefix-tuning"): one word
            # ("Reward", "Memory") is said in too many questions to stand for one term
            phrase = " " in gloss or "-" in gloss
            if len(term) >= 2 and phrase and len(re.sub(r"[ \-]", "", gloss)) >= MIN_GLOSS:
                terms.setdefault(term, set()).add(gloss)
    return Glossary(tuple((t, tuple(sorted(g))) for t, g in sorted(terms.items())))


def _uses(low: str, phrase: str, english: bool) -> bool:
    """A Chinese phrase anywhere; an English one in an English question only (a Chinese one
    uses the notes' words already, and their English terms as the notes write them), from the
    start of a word ("cache" in "cached", not "format" in "information")."""
    if not phrase.isascii():
        return phrase in low
    return english and re.search(r"(?<![a-z0-9])" + re.escape(phrase), low) is not None


def read_data(path: Path) -> dict[str, Any] | None:
    """A reviewed TOML file beside the documents (this glossary, field_terms.toml); None when
    there is none. One that can't be read fails with one line: a reviewed file that silently
    does nothing would hide the mistake."""
    if not path.is_file():
        return None
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CorpusError(f"{path}: cannot read ({exc})") from exc


def load_glossary(corpus_dir: Path) -> Glossary:
    """The glossary beside the documents; none there: an empty one. A malformed file fails
    with one line (a reviewed file that silently does nothing would hide the mistake)."""
    path = corpus_dir / GLOSSARY_NAME
    data = read_data(path)
    if data is None:
        return Glossary()
    terms: list[tuple[str, tuple[str, ...]]] = []
    for i, row in enumerate(data.get("term", [])):
        row = row if isinstance(row, dict) else {}
        notes, said = row.get("notes"), row.get("said")
        if not isinstance(notes, str) or not notes.strip():
            raise CorpusError(f"{path}: term {i + 1} needs `notes`, the notes' own term")
        if (
            not isinstance(said, list)
            or not said
            or not all(isinstance(p, str) and p for p in said)
        ):
            raise CorpusError(f"{path}: term {notes!r} needs `said`, a list of phrases")
        terms.append((notes.strip(), tuple(p.strip() for p in said)))
    return Glossary(tuple(terms))
