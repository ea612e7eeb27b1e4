"""Grading-quality arithmetic: hand-labelled points against a grader's points, and its score
against the hand score.

A hand point (a verbatim quote of the notes) is matched to the grader's point that holds the
most of its terms (the shortest such, on a tie; eval/points.py: CJK bigrams and Latin words); below `MIN_OVERLAP` it is
unmatched, and an unmatched point counts as "not covered" (the user is never told it was
covered). Pure functions over plain data, so the tests can check each figure by hand.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import fmean
from typing import Any

from eval.grading_items import Graded, GradingItem
from eval.points import point_recall

# A quote is short (a label such as 数据偏差 or one clause), so most of its terms must be in
# the grader's point; half lets a point that rewords the label's punctuation still match.
MIN_OVERLAP = 0.5
# A contradiction quote is the user's own words, and the grader reports a whole sentence.
MIN_CONTRADICTION_OVERLAP = 0.5


@dataclass(frozen=True)
class PointMatch:
    expected: str
    hand: bool
    predicted: bool
    matched: str | None  # the grader's point text, None when unmatched
    overlap: float


@dataclass(frozen=True)
class ItemResult:
    item: GradingItem
    graded: Graded | None
    points: tuple[PointMatch, ...]
    contradictions_found: tuple[bool, ...]  # one per expected contradiction
    error: str | None = None


def match_points(item: GradingItem, graded: Graded) -> tuple[PointMatch, ...]:
    out = []
    for exp in item.expected_points:
        # the most of the quote's terms; of equals, the shortest point: a lead that names every
        # point ("两种方法: 外在评估和内在评估") holds each label as fully as the point itself
        ranked = [
            (point_recall(exp.text, p.text), -len(p.text), i) for i, p in enumerate(graded.points)
        ]
        best, _, best_i = max(ranked, default=(0.0, 0, -1))
        if best >= MIN_OVERLAP:
            got = graded.points[best_i]
            out.append(PointMatch(exp.text, exp.covered, got.covered, got.text, best))
        else:
            out.append(PointMatch(exp.text, exp.covered, False, None, best))
    return tuple(out)


def contradictions_found(item: GradingItem, graded: Graded) -> tuple[bool, ...]:
    return tuple(
        any(point_recall(want, said) >= MIN_CONTRADICTION_OVERLAP for said in graded.contradictions)
        for want in item.contradicts
    )


def evaluate(item: GradingItem, graded: Graded) -> ItemResult:
    return ItemResult(item, graded, match_points(item, graded), contradictions_found(item, graded))


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """None when fewer than two pairs or either side is constant (undefined)."""
    if len(xs) != len(ys) or len(xs) < 2:
        return None
    mx, my = fmean(xs), fmean(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def ranks(xs: Sequence[float]) -> list[float]:
    """1-based ranks, ties sharing their mean rank (as Spearman's rho needs)."""
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    out = [0.0] * len(xs)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    return pearson(ranks(xs), ranks(ys))


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def summarize(results: Sequence[ItemResult]) -> dict[str, Any]:
    done = [r for r in results if r.graded is not None]
    pts = [p for r in done for p in r.points]
    tp = sum(p.hand and p.predicted for p in pts)
    fp = sum(p.predicted and not p.hand for p in pts)
    fn = sum(p.hand and not p.predicted for p in pts)
    scores = [r.graded.score for r in done if r.graded is not None]
    hands = [r.item.hand_score for r in done]
    found = [f for r in done for f in r.contradictions_found]
    clean = [r for r in done if not r.item.contradicts]
    by_kind: dict[str, dict[str, Any]] = {}
    for kind in sorted({r.item.kind for r in done}):
        rs = [r for r in done if r.item.kind == kind]
        by_kind[kind] = {
            "n": len(rs),
            "mean_score": fmean(r.graded.score for r in rs if r.graded is not None),
            "mean_hand_score": fmean(r.item.hand_score for r in rs),
        }
    by_question: dict[str, dict[str, Any]] = {}
    for q in dict.fromkeys(r.item.question for r in done):
        rs = [r for r in done if r.item.question == q]
        mine = [r.graded.score for r in rs if r.graded is not None]
        hand = [r.item.hand_score for r in rs]
        by_question[q] = {
            "n": len(rs),
            "mean_score": fmean(mine),
            "mean_hand_score": fmean(hand),
            "mean_abs_error": fmean(abs(a - b) for a, b in zip(mine, hand, strict=True)),
        }
    return {
        "items": len(results),
        "graded": len(done),
        "errors": len(results) - len(done),
        "points": len(pts),
        "points_matched": sum(p.matched is not None for p in pts),
        "point_accuracy": _ratio(sum(p.hand == p.predicted for p in pts), len(pts)),
        "covered_precision": _ratio(tp, tp + fp),
        "covered_recall": _ratio(tp, tp + fn),
        "pearson": pearson(scores, hands),
        "spearman": spearman(scores, hands),
        "mean_abs_error": fmean(abs(s - h) for s, h in zip(scores, hands, strict=True))
        if done
        else None,
        "contradictions": len(found),
        "contradiction_recall": _ratio(sum(found), len(found)),
        # items with nothing to contradict that were still told they contradict the notes
        "false_contradiction_items": sum(bool(r.graded and r.graded.contradictions) for r in clean),
        "by_kind": by_kind,
        "by_question": by_question,
    }


def row(result: ItemResult) -> dict[str, Any]:
    g = result.graded
    return {
        "id": result.item.id,
        "kind": result.item.kind,
        "question": result.item.question,
        "question_id": g.question_id if g else None,
        "score": g.score if g else None,
        "hand_score": result.item.hand_score,
        "points": [
            {
                "expected": p.expected,
                "hand": p.hand,
                "predicted": p.predicted,
                "matched": p.matched,
                "overlap": round(p.overlap, 3),
            }
            for p in result.points
        ],
        "grader_points": [{"text": p.text, "covered": p.covered} for p in g.points] if g else [],
        "contradicts": list(result.item.contradicts),
        "contradictions_found": list(result.contradictions_found),
        "grader_contradictions": list(g.contradictions) if g else [],
        "error": result.error,
    }
