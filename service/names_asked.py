"""Sections by the names a question asks about: an English passage silent on every name gives
way to one that says it, and an English question on one listed thing gets that thing's item.
Names are the question's hard key terms (service/keyterms.py); `evidence.select` calls these on
the sections it ranked."""

from __future__ import annotations

from collections.abc import Sequence

from core.text import ASIDE, is_english, latin_terms
from core.types import Hit
from service.asks import without_gloss
from service.keyterms import key_terms, squash
from service.naming import whole_items
from service.section_units import EvidenceUnit, units_of
from service.sections import section_key

Ranked = list[tuple[bool, float, int, int, Hit]]


def mentioned(names: set[str], texts: Sequence[str]) -> set[str]:
    """Which of `names` (squashed) the texts mention."""
    hay = squash(" ".join(texts))
    return {k for k in names if k in hay}


def naming_first(ranked: Ranked, per_hit: list[tuple[int, Hit]], question: str) -> Ranked:
    """The notes' few English passages (LangChain's) sit close to any English question in the
    embedding space: when one comes first, no heading asks the question, and it says none of the
    names the question asks about while other sections say one, those go first, in the search's
    order ("Which organization released T5…?" had got LangChain's agents over the list of open
    models that says who released T5). Not for Chinese passages: a name said in passing (GPT-3
    in the list of open models) would outrank the section that answers."""
    if not ranked or ranked[0][0]:
        return ranked
    names = {squash(t.text) for t in key_terms(question) if t.hard}
    if not names:
        return ranked

    def texts(r: tuple[bool, float, int, int, Hit]) -> list[str]:
        own = section_key(r[4].chunk)
        return [h.chunk.text for _, h in per_hit if section_key(h.chunk) == own]

    def says(r: tuple[bool, float, int, int, Hit]) -> bool:
        return bool(mentioned(names, [*r[4].chunk.heading_path, *texts(r)]))

    first = " ".join(texts(ranked[0]))
    if not (is_english(first) and latin_terms(first)) or says(ranked[0]):
        return ranked
    saying = [r for r in ranked if says(r)]
    return [*saying, *(r for r in ranked if r not in saying)] if saying else ranked


def titled_item(
    question: str, ranked: Ranked, per_hit: list[tuple[int, Hit]], q: set[str]
) -> list[EvidenceUnit]:
    """For an English question that names one thing (its only hard term), the listed point of
    the first section titled with that name ("T5 (Text-to-Text Transfer Transformer)：…"), with
    the rest of its item; [] when the section has none, or more than one. A Chinese question
    on one listed point is `subject.about`'s: its words beyond the name can be weighed."""
    # (the glossary may have added the notes' Chinese terms: "…used for?（预训练）")
    if not is_english(without_gloss(question)) or not ranked or ranked[0][0]:
        return []
    names = [squash(t.text) for t in key_terms(question) if t.hard]
    if len(names) != 1:
        return []
    own = section_key(ranked[0][4].chunk)
    units = [u for n, h in per_hit if section_key(h.chunk) == own for u in units_of(n, h, q)]
    found = [
        u for u in units
        if u.item and squash(ASIDE.sub("", u.text.split("：")[0].split(":")[0])) == names[0]
    ]  # fmt: skip
    return whole_items(units, found) if len(found) == 1 else []
