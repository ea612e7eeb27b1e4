"""Lexical answer-point matching: a cheap check of which hand-written answer points an answer
covers, with no model at all.

The judge (eval/judge.py) decides points when it runs; it is slow on a CPU (seconds a call),
so a run with `--judge none` still needs an indicator. A point counts as covered when at least
`MIN_RECALL` of its terms occur in the answer: Chinese character bigrams (runs of CJK split
into overlapping pairs) plus Latin words and numbers, lowercased. It shares no code with the
pipeline, so it cannot agree with the pipeline by construction. It is an indicator: a
paraphrase that uses other words is missed, so it undercounts coverage of LLM answers more
than that of answers which quote the notes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.text import CJK_RUN
from eval.claims import strip_markers

MIN_RECALL = 0.5
_LATIN = re.compile(r"[a-z0-9]+(?:[.\-][a-z0-9]+)*")
# Glue words that would match anywhere; dropped from a point's terms.
_STOP = {"的", "了", "和", "或", "与", "及", "是", "在", "等", "也", "都", "把", "被"}
_STOP_BIGRAMS = {"可以", "进行", "通过", "一个", "以及", "或者", "因为", "所以", "如果", "这个"}


def terms(text: str) -> set[str]:
    """CJK bigrams (a lone CJK character when a run has one) plus Latin words and numbers."""
    low = text.lower()
    out = {w for w in _LATIN.findall(low) if len(w) > 1 or w.isdigit()}
    for run in CJK_RUN.findall(low):
        chars = [c for c in run if c not in _STOP]
        if len(chars) == 1:
            out.add(chars[0])
        out.update(a + b for a, b in zip(chars, chars[1:], strict=False))
    return out - _STOP_BIGRAMS


def point_recall(point: str, answer: str) -> float:
    """Share of the point's terms found in the answer (0 when the point has none)."""
    want = terms(point)
    if not want:
        return 0.0
    have = terms(strip_markers(answer))
    return len(want & have) / len(want)


def lexical_points(
    points: Sequence[str], answer: str, min_recall: float = MIN_RECALL
) -> tuple[list[str], list[str]]:
    """(covered, missed) points, in the given order."""
    hit = [p for p in points if point_recall(p, answer) >= min_recall]
    return hit, [p for p in points if p not in hit]
