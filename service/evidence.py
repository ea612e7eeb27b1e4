"""Evidence first: the sentences and list items of the retrieved passages that answer the question.

Selection happens before any generation, so whatever writes the answer can only say what these
units say. Two cases:

- A passage whose heading asks the same question (the notes are a bank of interview questions)
  is the answer: its units are taken in the notes' order, so four listed causes give four points.
- Otherwise units are scored by the question's words and bigrams they contain, best first, then
  put back in the notes' order.

Copies of a passage in other files (the notes copy each other) would repeat a point, so a unit
whose bigrams mostly match one already chosen is dropped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from core.text import bigrams, split_units
from core.types import Chunk, Hit
from service.keyterms import key_terms, squash
from service.overlap import features, heading_match, weight
from service.sections import MAX_SECTION_CHUNKS, section_key

SAME_QUESTION = 0.5  # share of the question's features in a heading: "asks the same question"
MAX_POINTS = 8  # a listed answer rarely has more; beyond that the answer stops being an answer
MAX_PROSE = 3  # sentences taken from an unlisted section: its definition and the next two
MAX_SCORED = 4  # units picked by score when no heading asks the question
# Deeper sentences of the answering section that match the question best also join (at most
# MAX_EXTRA, scoring ≥ EXTRA_SHARE of the best unit and MIN_EXTRA_SCORE): dev-set lexical
# point coverage 0.564 → 0.621 for 0.5 more sentences per answer.
MAX_EXTRA = 2
EXTRA_SHARE = 0.8
MIN_EXTRA_SCORE = 3.0  # three shared bigrams, or an English term and a bigram
# Fused scores this close (0–1 scale) don't tell which section answers a paraphrased question;
# on the dev set, adding the runner-up's points raised a lexical point-coverage proxy from
# 0.53 to 0.55 at about one more sentence per answer (0.10 gave 0.56 at 1.2 more: padding).
SECOND_SECTION_MARGIN = 0.05
MAX_SECOND = 4  # points taken from the runner-up section
SAME_HEADING = 0.8  # heading match between two sections: the same question
MAX_OTHER = 4  # another note's answer to the same question: its lead and three points
OTHER_SHARE = 0.25  # its best unit's match with the question, against the answer's best
MAX_INTRODUCED = 4  # unlisted lines a "…：" point brings along (a formula's variables)
HEADING_WEIGHT = 0.5  # heading match added to the fused score (0–1) when picking the section
DUPLICATE = 0.7  # bigram Jaccard above which two units are the same point


@dataclass(frozen=True)
class EvidenceUnit:
    n: int  # citation number of the passage it comes from
    text: str
    chunk_id: str
    file: str
    heading_path: tuple[str, ...]
    start: int  # character offsets in the file
    end: int
    item: bool  # a list item: rendered as a point
    score: float
    other_note: str = ""  # another note's title: its answer to the same question (they differ)


@dataclass(frozen=True)
class Evidence:
    units: tuple[EvidenceUnit, ...]
    same_question: bool  # the first unit comes from a section whose heading asks the question
    heading: str  # that section's heading, or ""

    @property
    def empty(self) -> bool:
        return not self.units


def _units(n: int, hit: Hit, q: set[str]) -> list[EvidenceUnit]:
    c = hit.chunk
    out = []
    for u in split_units(c.text):
        if u.text[-1] in "？?":  # a question restated in the body answers nothing
            continue
        own = weight(q & features(u.text))
        # Mild length normalisation: a long sentence matches more bigrams by chance.
        score = own / (1.0 + 0.15 * math.log1p(len(u.text) / 40))
        out.append(
            EvidenceUnit(
                n, u.text, c.chunk_id, c.doc_id, c.heading_path, c.start + u.start,
                c.start + u.end, u.item, score,
            )
        )  # fmt: skip
    return out


def _is_duplicate(unit: EvidenceUnit, kept: Sequence[EvidenceUnit]) -> bool:
    g = bigrams(unit.text)
    for k in kept:
        h = bigrams(k.text)
        if g and h and len(g & h) / len(g | h) >= DUPLICATE:
            return True
    return False


def _dedupe(units: Sequence[EvidenceUnit], limit: int) -> list[EvidenceUnit]:
    kept: list[EvidenceUnit] = []
    for u in units:
        if len(kept) >= limit:
            break
        if not _is_duplicate(u, kept):
            kept.append(u)
    return kept


def _section(
    units: list[EvidenceUnit], *, prose: int = MAX_PROSE, extras: int = MAX_EXTRA
) -> list[EvidenceUnit]:
    """The answer of a question section, in order: its lead-in, then one unit per list item
    (or, for prose, its first `prose` sentences), and up to `extras` deeper sentences."""
    items = [u for u in units if u.item]
    if len(items) >= 2:
        first = units.index(items[0])
        # The lead: the section's first statement, and a lead-in that counts the points
        # ("…划分为以下7个不同的类别：") - a bare "方法如下：" says nothing.
        lead = [u for u in units[:first] if u.text[-1] not in "：:"][:1]
        lead += [u for u in units[:first] if u.text[-1] in "：:" and _COUNT.search(u.text)][:1]
        picked = _dedupe(lead + items, MAX_POINTS + 1)
        # A lead-in between the lists ("为了解决复读机问题，可以采取以下策略：") says what the
        # next points are; without it they would read as more of the first list.
        last = max(u.start for u in picked)
        picked += [
            u for u in units[first + 1 :]
            if not u.item and u.text[-1] in "：:" and u.start < last and u.n == items[0].n
        ]  # fmt: skip
    else:
        picked = _dedupe(units, prose)
    picked += _introduced(units, picked)
    # A fact the question asks for can sit deeper in the section ("…动用了440张A100共训练了
    # 9.5天" is an item's second sentence): the best-matching other sentences join, in order.
    best = max((u.score for u in units), default=0.0)
    floor = max(MIN_EXTRA_SCORE, EXTRA_SHARE * best)
    extra = sorted(
        (u for u in units if u not in picked and u.score >= floor), key=lambda u: -u.score
    )
    picked += [u for u in extra[:extras] if not _is_duplicate(u, picked)]
    order = {u: i for i, u in enumerate(units)}  # the notes' order, chunk after chunk
    return sorted(picked, key=lambda u: order[u])


def _introduced(units: list[EvidenceUnit], picked: list[EvidenceUnit]) -> list[EvidenceUnit]:
    """The lines a picked point introduces: "变量解释:" alone says nothing; the unlisted lines
    under it ("$D$: 数据量…") are its content. Up to MAX_INTRODUCED of them, up to the next item."""
    out: list[EvidenceUnit] = []
    for u in picked:
        if u.text[-1] not in "：:":
            continue
        i = units.index(u) + 1
        while i < len(units) and len(out) < MAX_INTRODUCED:
            nxt = units[i]
            if nxt.item or nxt.n != u.n or nxt in picked or nxt in out:
                break
            out.append(nxt)
            i += 1
    return out


def _mentioned(names: set[str], texts: Sequence[str]) -> set[str]:
    """Which of `names` (squashed) the texts mention."""
    hay = squash(" ".join(texts))
    return {k for k in names if k in hay}


def _other_note(
    hit: Hit, later: Sequence[tuple[bool, float, int, int, Hit]], per_hit: list[tuple[int, Hit]],
    q: set[str], picked: list[EvidenceUnit], asked: str,
) -> list[EvidenceUnit]:  # fmt: skip
    """Another file's section under the same heading, when it says something else: its lead and
    first points, marked with that note's title. A copy (most units duplicates) adds nothing,
    nor one silent on a name `asked` names and the answer mentions ("Tiktoken" asked, the other
    note only on LangChain's token use)."""
    own = features(hit.chunk.heading_path[-1] if hit.chunk.heading_path else "", question=True)
    best = max((u.score for u in picked), default=0.0)
    said: set[str] | None = None  # the asked names the answer mentions, when first needed
    for _same, _score, _neg, n, h in later:
        heading = h.chunk.heading_path[-1] if h.chunk.heading_path else ""
        if h.chunk.doc_id == hit.chunk.doc_id or heading_match(own, heading) < SAME_HEADING:
            continue
        units = _from_section(n, h, per_hit, q)
        new = [u for u in units if not _is_duplicate(u, picked)]
        # as close to the question as the answer itself, or it is another topic's padding
        near = max((u.score for u in new), default=0.0) >= max(OTHER_SHARE * best, 1e-9)
        if not new or len(new) * 2 < len(units) or not near:
            continue
        if said is None:
            names = {squash(t.text) for t in key_terms(asked) if t.hard}
            said = _mentioned(names, [*hit.chunk.heading_path, *(u.text for u in picked)])
        if said <= _mentioned(said, [*h.chunk.heading_path, *(u.text for u in new)]):
            return [replace(u, other_note=h.chunk.heading_path[0]) for u in new[:MAX_OTHER]]
    return []


_COUNT = re.compile(r"\d+\s*[个种类点条步方面]|[一二三四五六七八九十两几]\s*[个种类点条步方面]")


# A heading that asks without a question mark ("痛点4：如何 尽可能召回与query相关的Document 问题").
_ASKS = re.compile(r"如何|怎么|怎样|为什么|为何|什么|哪些|是否|吗|^(how|why|what|which)\b", re.I)


def _is_question(heading: str) -> bool:
    return heading.rstrip().endswith(("？", "?")) or bool(_ASKS.search(heading))


def _from_section(
    n: int, hit: Hit, per_hit: list[tuple[int, Hit]], q: set[str]
) -> list[EvidenceUnit]:
    # A long section is split into several chunks: read them all, in the notes' order. Chunks
    # overlap, so a sentence already read (or the cut-off tail of one) is read once.
    parts = sorted(
        (p for p in per_hit if section_key(p[1].chunk) == section_key(hit.chunk)),
        key=lambda p: p[1].chunk.start,
    )
    if len(parts) > MAX_SECTION_CHUNKS:  # a topic: the answer starts where the search landed
        parts = [p for p in parts if p[1].chunk.start >= hit.chunk.start]
    units: list[EvidenceUnit] = []
    for n2, h2 in parts:
        for u in _units(n2, h2, q):
            if not any(u.text in k.text for k in units):
                units.append(u)
    heading = hit.chunk.heading_path[-1] if hit.chunk.heading_path else ""
    if _is_question(heading):
        return _section(units)
    # Not a question section (a topic's prose, split evenly): only its sentences that match.
    ranked = sorted((u for u in units if u.score > 0), key=lambda u: -u.score)
    picked = _dedupe(ranked, MAX_SCORED)
    return sorted(picked, key=units.index)


def answer_points(question: str, chunks: Sequence[Chunk]) -> list[EvidenceUnit]:
    """The key points of a question's answer (`chunks`: its section, in the notes' order), the
    way `select` takes a section whose heading asks the question: the lead, then one unit per
    list item. Practice mode grades answers against these, so two things differ: a prose
    answer keeps up to MAX_POINTS sentences (an answer's third sentence is as much a point as
    its first), and no deeper sentence joins (an item's second sentence continues its point).
    """
    q = features(question, question=True)
    units = [u for c in chunks for u in _units(1, Hit(c, 0.0), q)]
    return _section(units, prose=MAX_POINTS, extras=0) if units else []


def select(question: str, hits: Sequence[Hit], whole: str = "") -> Evidence:
    """Evidence units for `question` from the ranked `hits` (hit i is passage n = i + 1).

    Hollow hits (bare headings, contents-only topics) never give evidence. The answer comes
    from one section: the one whose heading asks the question, else the best retrieved one
    (fused score, plus how well its heading matches). Mixing sentences from several sections
    read as padding, and broke the notes' own structure.
    """
    q = features(question, question=True)
    per_hit = [(i + 1, h) for i, h in enumerate(hits) if not h.chunk.hollow]
    if not per_hit:
        return Evidence((), False, "")
    ranked = []
    for n, h in per_hit:
        heading = h.chunk.heading_path[-1] if h.chunk.heading_path else ""
        match = heading_match(q, heading) if q else 0.0
        ranked.append((match >= SAME_QUESTION, h.score + HEADING_WEIGHT * match, -n, n, h))
    ranked.sort(key=lambda r: (r[0], r[1], r[2]), reverse=True)
    # one entry per section: its chunks are read together
    firsts: dict[tuple[str, tuple[str, ...]], tuple[bool, float, int, int, Hit]] = {}
    for r in ranked:
        firsts.setdefault(section_key(r[4].chunk), r)
    ranked = list(firsts.values())
    for i, (same, score, _neg, n, hit) in enumerate(ranked[:2]):
        picked = _from_section(n, hit, per_hit, q)
        if not picked:
            continue
        heading = hit.chunk.heading_path[-1] if hit.chunk.heading_path else ""
        # names asked come from the whole question (`whole`, when `question` is one of its parts)
        other = _other_note(hit, ranked[i + 1 :], per_hit, q, picked, whole or question)
        # Retrieval can't tell two close sections apart: give the runner-up's points too.
        rest = ranked[i + 1 : i + 2]
        close = rest and not rest[0][0] and score - rest[0][1] <= SECOND_SECTION_MARGIN
        if not other and not same and close:
            second = _from_section(rest[0][3], rest[0][4], per_hit, q)
            picked += [u for u in second[:MAX_SECOND] if not _is_duplicate(u, picked)]
        return Evidence((*picked, *other), same, heading)
    return Evidence((), False, "")
