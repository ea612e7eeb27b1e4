"""The field's vocabulary, to tell a topic the notes never discuss from a paraphrase.

keyterms.py refuses by names (LoRA, FlashAttention): capitals and digits stand out. Many topics
are named in plain words: "残差连接", "学习率 warmup", "watermarking". A plain word the notes
never use is no signal alone (users paraphrase: "车轱辘话" is the notes' 复读机), but a plain
word that is one of the field's terms for a concept, when the notes use none of that concept's
names, says the notes never discuss it. corpus/field_terms.toml lists the concepts, each with
all its common names (Chinese, English, abbreviations); which of them the notes never mention
is read from the index, so the list holds for any documents.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core.errors import CorpusError
from service.glossary import read_data

FIELD_TERMS_NAME = "field_terms.toml"
Said = tuple[str, tuple[str, ...]]  # a concept's name as the question writes it, all its names


def _key(name: str) -> str:
    """As keyterms.squash compares text: lower case, no separators."""
    return re.sub(r"[\s\-_.·•]+", "", name.lower())


@cache  # one per name, compiled once
def _pattern(name: str) -> re.Pattern[str]:
    """Chinese anywhere; English from the start of a word, to the end of one, allowing the
    word's own endings ("watermark" in "watermarking", "warm-up" as "warm up" or "warmup"),
    not inside another word ("rope" in "europe")."""
    if not name.isascii():
        return re.compile(re.escape(name))
    parts = [re.escape(p) for p in re.split(r"[\s\-_]+", name.strip()) if p]
    body = r"[\s\-_]?".join(parts)
    return re.compile(r"(?<![A-Za-z0-9])" + body + r"(?:s|es|ed|ing)?(?![A-Za-z0-9])", re.I)


@cache
def _needle(name: str) -> str:
    """What the question, lower-cased, must hold for `_pattern` to match: the name itself, or
    its first English word (a substring test spares most of the ~2,000 searches per question)."""
    if not name.isascii():
        return name
    return next((p for p in re.split(r"[\s\-_]+", name.strip().lower()) if p), name.lower())


MIN_SQUASHED = 6  # letters: "kto" is inside "tiktoken", "flashattention" is "Flash Attention"
_WORD = re.compile(r"[a-z0-9]+(?:[\-_.][a-z0-9]+)*")


class Notes:
    """The notes' text, to ask whether they say a name: a Chinese one anywhere, squashed (as
    keyterms.squash compares: "Continue PreTrain" says "continue pretrain"); a one-word English
    one as a word ("kto" is no word of "tiktoken", "rope" none of "europe"), or its plural, or
    a long one squashed too."""

    def __init__(self, text: str) -> None:
        low = text.lower()
        self.squashed = _key(low)
        self.words = set(_WORD.findall(low))

    def say(self, name: str) -> bool:
        low = name.lower().strip()
        if not low.isascii() or not _WORD.fullmatch(low):  # Chinese, several words, "LLM.int8()"
            return _key(low) in self.squashed
        # a long name may be written apart ("Flash Attention"), a short one must stand alone
        key = _key(low)
        return (
            low in self.words
            or f"{low}s" in self.words
            or (len(key) >= MIN_SQUASHED and key in self.squashed)
        )


@dataclass(frozen=True)
class Concept:
    names: tuple[str, ...]

    def said_in(self, question: str, low: str | None = None) -> str | None:
        """The name as `question` writes it, the longest match; None when it names none.
        `low`: the question lower-cased, when the caller has it."""
        low = question.lower() if low is None else low
        found = [
            m.group(0)
            for n in self.names
            if _needle(n) in low
            for m in [_pattern(n).search(question)]
            if m
        ]
        return max(found, key=len) if found else None

    def mentioned(self, notes: Notes) -> bool:
        return any(notes.say(n) for n in self.names)


@dataclass(frozen=True)
class FieldTerms:
    concepts: tuple[Concept, ...] = ()

    def unheard(self, text: str) -> FieldTerms:
        """The concepts the notes (`text`, as written) never mention by any of their names."""
        notes = Notes(text)
        return FieldTerms(tuple(c for c in self.concepts if not c.mentioned(notes)))

    def in_other_words(self, question: str, notes: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The English names `question` uses for concepts that the notes (`notes`, squashed)
        name only in Chinese: each with the Chinese names they use ("greedy search" and
        贪婪搜索). Such a name is no topic the notes lack, and their word finds the passage."""
        out = []
        for said, names in self.said_in(question):
            if not said.isascii() or _key(said) in notes:
                continue
            zh = tuple(n for n in names if not n.isascii() and _key(n) in notes)
            if zh:
                out.append((said, zh))
        return tuple(out)

    def spelled_otherwise(self, question: str, written: str) -> tuple[str, ...]:
        """The names the notes (`written`: their text, lower-cased) use for the concepts that
        `question` names by an English spelling they never write as such ("LayerNorm", where
        the notes write "Layer Normalization" and "LN"): the search matches words, and would
        find them by the notes' own. Not the names the question writes too."""
        low = question.lower()
        out: list[str] = []
        for said, names in self.said_in(question):
            if not said.isascii() or _written(said, written):
                continue
            out += [n for n in names if n.lower() not in low and _written(n, written)]
        return tuple(dict.fromkeys(out))

    def said_in(self, question: str) -> tuple[Said, ...]:
        """The concepts `question` names: each name as it writes it, with all the concept's
        names (the question may name it twice: "混合专家模型（MoE）")."""
        low = question.lower()
        said = ((c.said_in(question, low), c.names) for c in self.concepts)
        return tuple((s, names) for s, names in said if s)


def _written(name: str, text: str) -> bool:
    """`name` in `text` (lower case) as `_pattern` finds it: a Chinese one anywhere, an English
    one as whole words (not "ln" inside "online"), its parts joined as the notes may join them
    ("adapter tuning" is their "Adapter-tuning")."""
    return _pattern(name.strip()).search(text) is not None


def _concepts(rows: Iterable[object], path: Path) -> tuple[Concept, ...]:
    out: list[Concept] = []
    seen: dict[str, int] = {}
    for i, row in enumerate(rows, 1):
        names = row.get("names") if isinstance(row, dict) else None
        if not isinstance(names, list) or not names:
            raise CorpusError(f"{path}: concept {i} needs `names`, a list of its names")
        for n in names:
            # a name under two concepts would make one of them look discussed by the other
            if not isinstance(n, str) or len(_key(n)) < 2:
                raise CorpusError(f"{path}: concept {i}: {n!r} is not a name")
            if seen.get(_key(n), i) != i:
                raise CorpusError(f"{path}: concept {i}: {n!r} is already concept {seen[_key(n)]}")
            seen[_key(n)] = i
        out.append(Concept(tuple(n.strip() for n in names)))
    return tuple(out)


def load_field_terms(corpus_dir: Path) -> FieldTerms:
    """The list beside the documents; none there: an empty one (nothing refused by it). A
    malformed file fails with one line."""
    path = corpus_dir / FIELD_TERMS_NAME
    data = read_data(path)
    return FieldTerms(_concepts(data.get("concept", []), path)) if data else FieldTerms()
