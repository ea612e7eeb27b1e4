"""Answers separated from their questions (a PDF conversion artefact).

A PDF conversion can leave some answers as one long numbered list under a non-question
heading, next to a run of question headings that kept only an intro and a summary sentence.
`reattach_orphan_answers` moves each list item back into the body of the question it answers.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping, Sequence

from core.types import Line
from ingest.structure import Section

log = logging.getLogger(__name__)
ITEM_RE = re.compile(r"^\s*(?:[-*]\s*)?(\d+)[.、．]\s*\S")
# A list heading -> its answer blocks, for lists whose items share too few words with their
# questions for the generic alignment: (first item number of a block, title prefix of the
# question it answers). Hand-read per document, kept as data (ingest/overrides.py).
AnswerMaps = Mapping[str, Sequence[tuple[int, str]]]


def _items(body: list[Line]) -> tuple[list[Line], list[list[Line]]]:
    preface: list[Line] = []
    items: list[list[Line]] = []
    for ln in body:
        if not ln.text.strip():
            continue
        if ITEM_RE.match(ln.text):
            items.append([ln])
        elif items:
            items[-1].append(ln)
        else:
            preface.append(ln)
    return preface, items


def _is_orphan_list(sec: Section) -> bool:
    preface, items = _items(sec.body)
    item_chars = sum(len(ln.text) for it in items for ln in it)
    total = item_chars + sum(len(ln.text) for ln in preface)
    return (
        sec.heading is not None
        and not sec.is_question
        and len(items) >= 8
        and item_chars >= 0.7 * total
    )


def _short_answer(sec: Section) -> bool:
    return len(sec.body_text) <= 400 and len(_items(sec.body)[1]) <= 1


def _run(sections: list[Section], k: int, step: int, claimed: set[int]) -> list[int]:
    """Neighbouring headings that kept only an intro/summary sentence (or nothing)."""
    out: list[int] = []
    j = k + step
    while 0 < j < len(sections) and j not in claimed:
        s = sections[j]
        if s.level <= 1 or s.heading is None or _is_orphan_list(s):
            break
        if not (s.is_question and _short_answer(s)) and s.body_text:
            break
        out.append(j)
        j += step
    return out


def _bigrams(text: str) -> set[str]:
    s = re.sub(r"[\W_]+", "", text.lower())
    return {s[i : i + 2] for i in range(len(s) - 1)}


def _align(items: list[list[Line]], questions: list[Section]) -> list[int]:
    """Give each item a question, keeping answer blocks contiguous and in (possibly reversed)
    question order; items vote by idf-weighted character bigrams shared with a question's text."""
    qb = [_bigrams(q.path[-1] + q.body_text) for q in questions]
    df: dict[str, int] = {}
    for b in qb:
        for x in b:
            df[x] = df.get(x, 0) + 1
    idf = {x: math.log((len(qb) + 1) / (d + 0.5)) for x, d in df.items()}
    scores = []
    for it in items:
        ib = _bigrams(" ".join(ln.text for ln in it))
        norm = sum(idf.get(x, 0.0) for x in ib) or 1.0
        scores.append([sum(idf.get(x, 0.0) for x in ib & b) / norm for b in qb])
    best: tuple[float, list[int]] = (-math.inf, [])
    n, m = len(items), len(questions)
    for order in (list(range(m)), list(range(m))[::-1]):
        dp = [[-math.inf] * m for _ in range(n)]
        back = [[0] * m for _ in range(n)]
        dp[0][0] = scores[0][order[0]]
        for i in range(1, n):
            for j in range(m):
                stay, move = dp[i - 1][j], dp[i - 1][j - 1] if j else -math.inf
                dp[i][j] = max(stay, move) + scores[i][order[j]]
                back[i][j] = j if stay >= move else j - 1
        j, path = m - 1, [m - 1]
        for i in range(n - 1, 0, -1):
            j = back[i][j]
            path.append(j)
        if dp[n - 1][m - 1] > best[0]:
            best = (dp[n - 1][m - 1], [order[p] for p in reversed(path)])
    return best[1]


def _mapped(
    maps: AnswerMaps, sec: Section, items: list[list[Line]], qs: list[Section]
) -> list[int] | None:
    table = maps.get(sec.path[-1])
    if not table:
        return None
    numbers = [int(m.group(1)) if (m := ITEM_RE.match(it[0].text)) else 0 for it in items]
    out = []
    for num in numbers:
        prefix = next((p for first, p in reversed(table) if num >= first), table[0][1])
        idx = next((k for k, q in enumerate(qs) if q.path[-1].startswith(prefix)), None)
        if idx is None:
            log.warning(
                "override for list %r: no question starts with %r; aligning instead",
                sec.path[-1],
                prefix,
            )
            return None
        out.append(idx)
    return out


def reattach_orphan_answers(
    sections: list[Section], answer_maps: AnswerMaps | None = None
) -> list[Section]:
    """Move each item of an orphan answer list into the body of the question it answers.

    Pattern: a non-question heading whose body is one long numbered list, next to a run of
    question headings that kept only an intro and a summary sentence. The list's items are
    aligned to those questions; empty headings inside the run are absorbed (their topic is now
    answered by the re-attached chunks) so they don't surface as empty look-alike hits.
    `answer_maps` (a document's reviewed overrides) replaces the alignment for the lists it
    names; a list it doesn't name, or a map whose question prefix matches no question, is aligned.
    """
    claimed: set[int] = set()
    for k, sec in enumerate(sections):
        if not _is_orphan_list(sec):
            continue
        run = _run(sections, k, 1, claimed)
        if sum(sections[j].is_question for j in run) < 2:
            run = _run(sections, k, -1, claimed)
        qs = [sections[j] for j in sorted(run) if sections[j].is_question]
        if len(qs) < 2:
            continue
        preface, items = _items(sec.body)
        if len(items) < len(qs):
            continue
        assign = _mapped(answer_maps or {}, sec, items, qs) or _align(items, qs)
        answers: dict[int, list[Line]] = {}
        for it, target in zip(items, assign, strict=True):
            answers.setdefault(target, []).extend(it)
        for qi, q in enumerate(qs):
            body = [ln for ln in q.body if ln.text.strip()]
            q.body = body[:1] + answers.get(qi, []) + body[1:]
        for j in run:
            if not sections[j].body_text:
                sections[j].absorbed = True
        sec.body = preface
        sec.absorbed = not preface
        claimed.update(run)
        claimed.add(k)
    return sections
