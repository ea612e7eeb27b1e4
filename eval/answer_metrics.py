"""Answer scoring: refusals, hallucination by entailment, answer-point coverage, citation
precision and latency, overall and by kind.

Judging and scoring are separate steps: `judge_answers` asks the judge (slow, cached) and
returns probabilities; `score_answers` turns records + probabilities into rates (pure).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, get_args

import numpy as np
from tqdm import tqdm

from contract.ask import RefusalReason
from eval.answers import AnswerRecord
from eval.claims import Claim, editor_notes, split_claims, strip_markers
from eval.dataset import EvalItem
from eval.judge import Judge
from eval.points import lexical_points


@dataclass
class Judgment:
    """The judge's probabilities for one answer."""

    claims: list[tuple[Claim, float]] = field(default_factory=list)  # vs the cited passages
    cited: list[tuple[int, int, float]] = field(default_factory=list)  # (claim idx, n, p)
    points: list[tuple[str, float]] = field(default_factory=list)  # answer point, p entailed


def answered(rec: AnswerRecord) -> bool:
    return rec.error is None and not rec.refused


async def judge_one(judge: Judge, item: EvalItem, rec: AnswerRecord) -> Judgment:
    """Calls are ordered so consecutive prompts share their passages (llama.cpp reuses the
    KV cache of a shared prefix): all claims, then each cited passage, then the points.

    Claims are judged against the passages the answer cites (all given passages when it cites
    none): stricter than all the retrieved ones, and a third of the prompt, so a whole dev-set
    judging fits on 2 cores. An answer citing one passage asks the cited check's own prompts,
    which the cache answers."""
    out = Judgment()
    if not answered(rec):
        return out
    claims = split_claims(rec.answer)
    cites = sorted({n for c in claims for n in c.cites if 1 <= n <= len(rec.passages)})
    context = [rec.passages[n - 1] for n in cites] or rec.passages
    for c in claims:
        out.claims.append((c, await judge.supported(context, c.text)))
    for n in cites:
        for i, c in enumerate(claims):
            if n in c.cites:
                out.cited.append((i, n, await judge.supported([rec.passages[n - 1]], c.text)))
    answer = strip_markers(rec.answer).strip()
    for point in item.answer_points:
        out.points.append((point, await judge.supported([answer], point)))
    return out


async def judge_answers(
    judge: Judge,
    items: Sequence[EvalItem],
    records: Sequence[AnswerRecord],
    progress: bool = True,
) -> dict[str, Judgment]:
    by_id = {i.id: i for i in items}
    todo = [r for r in records if answered(r)]
    out: dict[str, Judgment] = {}
    for rec in tqdm(todo, desc="judging", unit="answer", file=sys.stderr, disable=not progress):
        out[rec.id] = await judge_one(judge, by_id[rec.id], rec)
    return out


def _rate(num: float, den: int) -> float | None:
    return round(num / den, 4) if den else None


def percentiles(values: Sequence[float | None]) -> dict[str, Any]:
    xs = [v for v in values if v is not None]
    if not xs:
        return {"n": 0, "p50": None, "p95": None}
    arr = np.asarray(xs, dtype=np.float64)
    return {
        "n": len(xs),
        "p50": round(float(np.percentile(arr, 50)), 1),
        "p95": round(float(np.percentile(arr, 95)), 1),
    }


def _block(
    pairs: list[tuple[EvalItem, AnswerRecord]],
    judgments: dict[str, Judgment] | None,
    threshold: float,
) -> dict[str, Any]:
    ok = [(i, r) for i, r in pairs if r.error is None]
    unans = [r for i, r in ok if not i.answerable]
    ans = [r for i, r in ok if i.answerable]
    right = [r for i, r in ok if i.answerable and not i.notes_wrong]
    wrong = [r for i, r in ok if i.answerable and i.notes_wrong]
    out: dict[str, Any] = {
        "n": len(pairs),
        "errors": len(pairs) - len(ok),
        "refusal_rate_unanswerable": _rate(sum(r.refused for r in unans), len(unans)),
        "false_refusal_rate": _rate(sum(r.refused for r in ans), len(ans)),
        # the same, over the questions whose notes' answer is not a reviewed error
        "false_refusal_rate_notes_right": _rate(sum(r.refused for r in right), len(right)),
        # questions only a wrong answer of the notes answers: withheld, with the correction
        "notes_wrong": len(wrong),
        "notes_wrong_withheld_corrected": sum(
            r.refused and bool(editor_notes(r.answer)) for r in wrong
        ),
        "refused_by_reason": {
            reason: sum(1 for _, r in ok if r.refused and r.refusal_reason == reason)
            for reason in get_args(RefusalReason)
        },
        "latency_ms": {
            "retrieve": percentiles([r.retrieve_ms for _, r in ok]),
            "first_token": percentiles([r.first_token_ms for _, r in ok]),
            "total": percentiles([r.total_ms for _, r in ok]),
        },
    }
    out["answer_point_coverage_lexical"] = _lexical_coverage(ok)
    out["first_sentence_states_a_point_lexical"] = _first_sentence(ok)
    # answers that carry a reviewer's note on an error of the notes (not judged as claims)
    said = [r for _, r in ok if answered(r)]
    out["answers_with_editor_note"] = _rate(
        sum(bool(editor_notes(r.answer)) for r in said), len(said)
    )
    if judgments is not None:
        out.update(_judged(ok, judgments, threshold))
    return out


def _lexical_coverage(ok: list[tuple[EvalItem, AnswerRecord]]) -> float | None:
    """Share of hand-written points whose terms the answer contains (eval/points.py): no model,
    so every run has it; a refused answerable question covers nothing."""
    shares = [
        len(lexical_points(item.answer_points, rec.answer)[0]) / len(item.answer_points)
        if answered(rec)
        else 0.0
        for item, rec in ok
        if item.answerable and item.answer_points
    ]
    return _rate(sum(shares), len(shares))


def opens_on_a_point(item: EvalItem, rec: AnswerRecord) -> bool | None:
    """Whether the answer's first claim (eval/claims.py: no lead-in, remark or editor's note)
    states one of the hand-written points, by their terms; None when there is nothing to tell
    (refused, or no points). A proxy for "the first sentence answers the question", which
    reviewers judge (eval/reviews/2026-12-06-yy)."""
    if not answered(rec) or not item.answerable or not item.answer_points:
        return None
    claims = split_claims(rec.answer)
    return bool(claims) and bool(lexical_points(item.answer_points, claims[0].text)[0])


def _first_sentence(ok: list[tuple[EvalItem, AnswerRecord]]) -> float | None:
    """Share of the answered questions with points whose answer opens on one of them."""
    opens = [o for o in (opens_on_a_point(i, r) for i, r in ok) if o is not None]
    return _rate(sum(opens), len(opens))


def _judged(
    ok: list[tuple[EvalItem, AnswerRecord]], judgments: dict[str, Judgment], threshold: float
) -> dict[str, Any]:
    answers = [judgments.get(r.id, Judgment()) for _, r in ok if answered(r)]
    with_claims = [j for j in answers if j.claims]
    n_claims = sum(len(j.claims) for j in answers)
    unsupported = sum(p < threshold for j in answers for _, p in j.claims)
    bad_answers = sum(any(p < threshold for _, p in j.claims) for j in with_claims)
    cited = [p for j in answers for _, _, p in j.cited]
    # Coverage: every answerable item with points; a refused one covers nothing.
    cover_all: list[float] = []
    cover_answered: list[float] = []
    for item, rec in ok:
        if not item.answerable or not item.answer_points:
            continue
        j = judgments.get(rec.id)
        share = 0.0
        if answered(rec) and j is not None and j.points:
            share = sum(p >= threshold for _, p in j.points) / len(item.answer_points)
            cover_answered.append(share)
        cover_all.append(share)
    return {
        "answers_judged": len(answers),
        "claims": n_claims,
        "claims_per_answer": _rate(n_claims, len(answers)),
        "hallucination_rate": _rate(unsupported, n_claims),
        "answers_with_hallucination": _rate(bad_answers, len(with_claims)),
        "answer_point_coverage": _rate(sum(cover_all), len(cover_all)),
        "answer_point_coverage_answered": _rate(sum(cover_answered), len(cover_answered)),
        "cited_pairs": len(cited),
        "citation_precision": _rate(sum(p >= threshold for p in cited), len(cited)),
    }


def score_answers(
    items: Sequence[EvalItem],
    records: Sequence[AnswerRecord],
    judgments: dict[str, Judgment] | None = None,
    threshold: float = 0.5,
) -> dict[str, Any]:
    """The `answers` report block; judged figures only when `judgments` is given."""
    by_id = {r.id: r for r in records}
    pairs = [(i, by_id[i.id]) for i in items if i.id in by_id]
    report = _block(pairs, judgments, threshold)
    kinds = sorted({i.kind for i, _ in pairs})
    report["by_kind"] = {
        k: _block([(i, r) for i, r in pairs if i.kind == k], judgments, threshold) for k in kinds
    }
    return report


SHIFTS = tuple(round(0.01 * i, 2) for i in range(-8, 9))


def refusal_tradeoff(
    items: Sequence[EvalItem],
    records: Sequence[AnswerRecord],
    floor_cjk: float,
    floor_latin: float,
    min_coverage: float = 0.0,
    shifts: Sequence[float] = SHIFTS,
) -> list[dict[str, float | None]]:
    """Refusal rates if the gate's dense floors moved by each shift (from the recorded gate
    features; in-process runs only). A question the gate would newly admit counts as
    answered, one it newly refuses as refused; model refusals elsewhere stay as they were."""
    by_id = {r.id: r for r in records}
    pairs = [(i, by_id[i.id]) for i in items if i.id in by_id and by_id[i.id].error is None]
    if not pairs or not all("n_evidence" in r.gate for _, r in pairs):
        return []
    points: list[dict[str, float | None]] = []
    for shift in shifts:
        ref_u = ref_a = n_u = n_a = 0
        for item, rec in pairs:
            g = rec.gate
            floor = (floor_cjk if g.get("cjk", 1.0) else floor_latin) + shift
            gate = g["n_evidence"] == 0 or (
                g.get("max_dense", 0.0) < floor or g.get("coverage", 1.0) < min_coverage
            )
            refused = gate or (rec.refused and rec.refusal_reason == "model")
            if item.answerable:
                n_a += 1
                ref_a += refused
            else:
                n_u += 1
                ref_u += refused
        points.append(
            {
                "shift": shift,
                "false_refusal_rate": _rate(ref_a, n_a),
                "refusal_rate_unanswerable": _rate(ref_u, n_u),
            }
        )
    return points


def detail_rows(
    records: Sequence[AnswerRecord], judgments: dict[str, Judgment] | None
) -> list[dict[str, Any]]:
    """Per question, for DIR/answers.jsonl: the answer and every judged probability."""
    rows = []
    for rec in records:
        row: dict[str, Any] = rec.model_dump(exclude={"passages", "settings_hash"})
        j = (judgments or {}).get(rec.id)
        if j is not None:
            row["claims"] = [{"text": c.text, "cites": list(c.cites), "p": p} for c, p in j.claims]
            row["cited"] = [{"claim": i, "n": n, "p": p} for i, n, p in j.cited]
            row["points"] = [{"point": t, "p": p} for t, p in j.points]
        rows.append(row)
    return rows
