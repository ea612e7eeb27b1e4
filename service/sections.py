"""Complete the sections the search found: a long answer is several chunks, the search finds one.

Half the notes' chunks belong to a section cut into two or more (a list of eight methods is
chunked after the fifth). The search ranks chunks, so it often returns only the part that
matches best, and the answer then stops at the fifth method, or starts at it without the
section's lead. The chunks of the top hits' sections that the search left out join the hits
(after them, so the search's citation numbers stay), and evidence reads each section whole.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from core.types import Chunk, Hit
from core.units import leans_back
from service.evidence_unit import EvidenceUnit, units_of
from service.overlap import heading_match

TOP = 3  # evidence picks its section among the first hits; deeper ones are rarely cited
MAX_ADDED = 4  # more would crowd the passages shown
# A section of more chunks is a topic, not one answer (the Scaling Law overview): there the
# chunk the search picked is the part that answers, and its first chunks would crowd it out.
MAX_SECTION_CHUNKS = 3
SAME_QUESTION = 0.5  # share of the question's features in a heading: "asks the same question"


SectionKey = tuple[str, tuple[str, ...]]  # (file, heading path)
Sections = Mapping[SectionKey, Sequence[Chunk]]


def section_key(chunk: Chunk) -> SectionKey:
    return chunk.doc_id, chunk.heading_path


def group_sections(chunks: Iterable[Chunk]) -> Sections:
    """Each section's chunks (hollow ones left out), in the notes' order: built once per index
    version, not per question."""
    grouped: dict[SectionKey, list[Chunk]] = defaultdict(list)
    for c in chunks:
        if not c.hollow:
            grouped[section_key(c)].append(c)
    return {k: sorted(v, key=lambda c: (c.start, c.end)) for k, v in grouped.items()}


def complete_sections(hits: Sequence[Hit], sections: Sections, top: int = TOP) -> list[Hit]:
    """`hits`, then the chunks of the first `top` hits' sections (of at most MAX_SECTION_CHUNKS)
    that are not among them, in the notes' order, at most MAX_ADDED. An added chunk carries the
    score of the hit it completes."""
    wanted = {section_key(h.chunk): h.score for h in hits[:top] if not h.chunk.hollow}
    have = {h.chunk.chunk_id for h in hits}
    out = list(hits)
    for key, score in wanted.items():
        siblings = sections.get(key, ())
        if len(siblings) > MAX_SECTION_CHUNKS:
            continue
        for c in siblings:
            if c.chunk_id not in have and len(out) - len(hits) < MAX_ADDED:
                have.add(c.chunk_id)
                out.append(Hit(c, score))
    return out


def read_section(hit: Hit, per_hit: list[tuple[int, Hit]], q: set[str]) -> list[EvidenceUnit]:
    """The units of `hit`'s section over the hits (`per_hit`: (passage number, hit)), in the
    notes' order. Chunks overlap, so a sentence already read (or the cut-off tail of one) is
    read once. A topic (more than MAX_SECTION_CHUNKS chunks, its heading not the question) is
    read from where the search landed."""
    parts = sorted(
        (p for p in per_hit if section_key(p[1].chunk) == section_key(hit.chunk)),
        # a line the cleaner joined (a page break mid-sentence) gives every chunk cut from it
        # the line's start: the one that ends first comes first
        key=lambda p: (p[1].chunk.start, p[1].chunk.end),
    )
    heading = hit.chunk.heading_path[-1] if hit.chunk.heading_path else ""
    # Not a long section whose heading asks the question: its answer starts at its start
    # ("半精度训练, 混合精度训练都是什么?" had opened on its seventh training step).
    topic = len(parts) > MAX_SECTION_CHUNKS and heading_match(q, heading) < SAME_QUESTION
    if topic:
        parts = [p for p in parts if p[1].chunk.start >= hit.chunk.start]
    units: list[EvidenceUnit] = []
    for n, h in parts:
        for u in units_of(n, h, q):
            if not any(u.text in k.text for k in units):
                units.append(u)
    if topic:  # landed inside it: a first line that points back ("例如, 目标词为…") has
        # nothing before it to point to
        while units and not units[0].item and leans_back(units[0].text):
            units.pop(0)
    return _one_parent(units)


def _one_parent(units: list[EvidenceUnit]) -> list[EvidenceUnit]:
    """A chunk that starts on a list item reads it from its text, not its "- " marker: the lines
    under it there name it by another offset than the chunk that read it whole ("RLHF 训练过程中
    的关键技术" at 14834 and 14837). Each parent becomes the start of the unit read that holds it."""
    starts = {u.start for u in units}
    spans = [(u.start, u.end) for u in units]
    out = []
    for u in units:
        if u.parent >= 0 and u.parent not in starts:
            holder = next((a for a, b in spans if a <= u.parent < b), None)
            if holder is not None:
                u = replace(u, parent=holder)
        out.append(u)
    return out
