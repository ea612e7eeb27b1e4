"""The notes' own terms for what people say in other words (corpus/glossary.toml).

"为什么大模型会一直重复同一句话？" is the notes' "复读机问题", and "模型编造内容" their "幻觉":
the notes name these by their jargon, and neither BM25 nor the heading match can see it. A
question that uses one of the listed phrases is searched and matched with the term added, in
brackets ("…（复读机）"), once; the words the user typed stay as they are.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from core.errors import CorpusError
from core.text import is_english

GLOSSARY_NAME = "glossary.toml"


@dataclass(frozen=True)
class Glossary:
    terms: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (the notes' term, phrases said)

    def expand(self, question: str) -> str:
        """`question`, with the notes' term of each phrase it uses, in brackets at the end."""
        low = question.lower()
        english = is_english(question)
        add = [
            term for term, said in self.terms
            if term not in question and any(_uses(low, p.lower(), english) for p in said)
        ]  # fmt: skip
        return f"{question}（{'、'.join(add)}）" if add else question


def _uses(low: str, phrase: str, english: bool) -> bool:
    """A Chinese phrase anywhere; an English one in an English question only (a Chinese one
    uses the notes' words already, and their English terms as the notes write them), from the
    start of a word ("cache" in "cached", not "format" in "information")."""
    if not phrase.isascii():
        return phrase in low
    return english and re.search(r"(?<![a-z0-9])" + re.escape(phrase), low) is not None


def load_glossary(corpus_dir: Path) -> Glossary:
    """The glossary beside the documents; none there: an empty one. A malformed file fails
    with one line (a reviewed file that silently does nothing would hide the mistake)."""
    path = corpus_dir / GLOSSARY_NAME
    if not path.is_file():
        return Glossary()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CorpusError(f"{path}: cannot read ({exc})") from exc
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
