"""The aspect a question asks about, and the sub-list of the notes that gives it.

The notes often answer a topic under sub-headings that name an aspect: "- RLHF 的优势",
"- RLHF 的应用", "- 典型表现", "- 挑战与问题". People ask for the aspect in their own words
("有哪些优势？", "主要被用在哪些任务上？", "通常体现在哪些能力上？"), and share few words with
the sub-heading, so neither the heading match nor asked_part.py's word overlap finds it: the
answer was the topic's other section ("RLHF 在实践过程中存在哪些不足?" for its advantages).
An aspect is a small closed set of what questions ask about, not the notes' vocabulary.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.text import bigrams
from core.types import Hit
from service.evidence_unit import EvidenceUnit, under
from service.parts import question_parts
from service.section_units import MAX_POINTS, first_points
from service.sections import read_section

# (what a question says, what a sub-heading says): one row per aspect
_ASPECTS = (
    (r"优势|优点|好处|长处|\badvantages?\b|\bbenefits?\b", r"优势|优点|好处"),
    (
        r"缺点|不足|局限|劣势|短板|弊端|\bdrawbacks?\b|\bdisadvantages?\b|\blimitations?\b",
        r"缺点|不足|局限|劣势",
    ),
    (r"挑战|难点|难题|\bchallenges?\b", r"挑战|难点"),
    (
        r"应用|用在|用于哪|场景|用途|\bapplications?\b|\bused for\b|\buse cases?\b",
        r"应用|场景|用途",
    ),
    (r"作用|用处|干嘛用|干什么用|有什么用|\broles?\b|\bpurpose\b", r"作用|用处"),
    (r"体现|表现在|\bmanifest", r"表现|体现"),
    (r"原因|成因|起因|\bcauses?\b", r"原因|成因"),
    (r"关键技术|\bkey techn", r"关键技术"),
    (r"步骤|流程|环节|\bsteps?\b", r"步骤|流程"),
)
MAX_LABEL = 20  # characters: a sub-heading names its aspect ("RLHF 的优势"), it says nothing more
MAX_SECTIONS = 5  # the sections the search ranked first: the topic's, not every hit's
# (the pipeline completes that many sections for such a question: the sub-list may sit in a
# chunk of the fifth the search left out, "- RLHF 的优势" of "RLHF完整训练过程是什么?")


def asked_aspect(question: str) -> re.Pattern[str] | None:
    """What a sub-heading of the aspect the question asks about says; None: no aspect, or two
    ("优缺点"-style questions get the whole section)."""
    if re.search(r"优缺点|利弊|pros and cons", question, re.I):  # both sides: the section
        return None
    found = [label for said, label in _ASPECTS if re.search(said, question, re.I)]
    return re.compile(found[0]) if len(found) == 1 else None


def asks_aspect(question: str) -> bool:
    """Some part of the question asks about one aspect."""
    return any(asked_aspect(p) for p in question_parts(question))


# a sub-heading of the aspect, the lines right under it, and its section's units
_Found = tuple[EvidenceUnit, list[EvidenceUnit], list[EvidenceUnit]]


def aspect_list(
    question: str, sections: Sequence[Hit], per_hit: list[tuple[int, Hit]], q: set[str]
) -> list[EvidenceUnit]:
    """The one sub-heading of the aspect asked about among the first sections (`sections`, one
    hit each, best first), with the lines under it; [] when the first section's heading asks
    about that aspect itself, or no sub-heading says it, or several do and the question names
    none of their topics more than the others'."""
    label = asked_aspect(question)
    if label is None or not sections:
        return []
    top = sections[0].chunk.heading_path[-1] if sections[0].chunk.heading_path else ""
    if label.search(top):
        return []
    found: list[_Found] = []
    for hit in sections[:MAX_SECTIONS]:
        units = read_section(hit, per_hit, q)
        for u in units:
            # a sub-heading, or a line that only introduces the lines under it ("挑战与问题:")
            titled = u.label or u.text.rstrip().endswith((":", "："))
            if titled and len(u.text) <= MAX_LABEL and label.search(u.text):
                lines = under(u, units)
                if lines:
                    found.append((u, lines, units))
    if len(found) > 1:  # "词表的挑战" and "Token的挑战": the one whose topic the question says most
        said = bigrams(question)

        def share(f: _Found) -> float:
            topic = bigrams(label.sub("", f[0].text))
            return len(topic & said) / len(topic) if topic else 0.0

        best = max(share(f) for f in found)
        found = [f for f in found if best > 0 and share(f) == best]
    if len(found) != 1:
        return []
    head, lines, units = found[0]
    # a point that is itself a sub-heading ("Token数量" under "Token的挑战") brings its lines
    return [head, *(w for v in first_points(lines, MAX_POINTS) for w in (v, *_below(v, units)))]


def _below(u: EvidenceUnit, units: Sequence[EvidenceUnit]) -> list[EvidenceUnit]:
    """Every line under `u`, however deep, in the notes' order: none but a sub-heading's."""
    if not u.label:
        return []
    starts, out = {u.start}, []
    for v in units:
        if v.file == u.file and v.parent in starts:
            starts.add(v.start)
            out.append(v)
    return out
