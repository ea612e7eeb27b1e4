"""`python -m eval.run --calibrate-judge`: measure the judge on hand-labelled pairs and pick
its threshold.

eval/datasets/judge.jsonl holds (passages, claim, supported, type) rows: paraphrased true
claims, subtly wrong numbers and names, contradictions, and claims true in general but absent
from the passages. The judge's probability for each row is compared with the label at every
threshold; the one with the best accuracy (or F1) is picked.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field
from tqdm import tqdm

from eval.judge import Judge

Pick = Literal["accuracy", "f1"]
GRID = tuple(round(0.05 * i, 2) for i in range(1, 20))  # 0.05 … 0.95


class JudgePair(BaseModel, frozen=True):
    id: str
    passages: tuple[str, ...] = Field(min_length=1)
    claim: str = Field(min_length=1)
    supported: bool
    type: str = ""


def load_pairs(path: Path) -> list[JudgePair]:
    pairs = []
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                pairs.append(JudgePair.model_validate(json.loads(line)))
            except ValueError as exc:
                raise ValueError(f"{path}:{no}: {str(exc).splitlines()[0]}") from exc
    if not pairs:
        raise ValueError(f"{path}: no pairs")
    return pairs


def confusion(labels: Sequence[bool], probs: Sequence[float], t: float) -> dict[str, Any]:
    tp = sum(1 for y, p in zip(labels, probs, strict=True) if y and p >= t)
    fp = sum(1 for y, p in zip(labels, probs, strict=True) if not y and p >= t)
    fn = sum(1 for y, p in zip(labels, probs, strict=True) if y and p < t)
    tn = len(labels) - tp - fp - fn
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    # Specificity: how many unsupported claims it catches, i.e. what a hallucination rate sees.
    spec = tn / (tn + fp) if tn + fp else 0.0
    return {
        "threshold": round(t, 4),
        "accuracy": round((tp + tn) / len(labels), 4) if labels else 0.0,
        "precision": round(prec, 4),
        "recall": round(rec, 4),
        "f1": round(f1, 4),
        "specificity": round(spec, 4),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
    }


def auc(labels: Sequence[bool], probs: Sequence[float]) -> float | None:
    """ROC AUC: the chance a random supported pair scores above a random unsupported one."""
    pos = [p for y, p in zip(labels, probs, strict=True) if y]
    neg = [p for y, p in zip(labels, probs, strict=True) if not y]
    if not pos or not neg:
        return None
    wins = sum(1.0 if a > b else 0.5 if a == b else 0.0 for a in pos for b in neg)
    return round(wins / (len(pos) * len(neg)), 4)


def pick_threshold(labels: Sequence[bool], probs: Sequence[float], by: Pick) -> dict[str, Any]:
    """The best threshold over the grid and every midpoint between observed probabilities.
    Ties go to the threshold nearest 0.5 (the least extreme)."""
    xs = sorted(set(probs))
    cands = set(GRID) | {(a + b) / 2 for a, b in zip(xs, xs[1:], strict=False)}
    rows = [confusion(labels, probs, t) for t in sorted(cands)]
    return max(rows, key=lambda r: (r[by], r["accuracy"], -abs(r["threshold"] - 0.5)))


async def calibrate(
    judge: Judge, pairs: Sequence[JudgePair], by: Pick = "accuracy", progress: bool = True
) -> dict[str, Any]:
    probs: list[float] = []
    for pair in tqdm(pairs, desc="judge pairs", unit="pair", file=sys.stderr, disable=not progress):
        probs.append(await judge.supported(list(pair.passages), pair.claim))
    labels = [p.supported for p in pairs]
    best = pick_threshold(labels, probs, by)
    t = best["threshold"]
    by_type: dict[str, dict[str, Any]] = {}
    for typ in sorted({p.type for p in pairs}):
        idx = [i for i, p in enumerate(pairs) if p.type == typ]
        right = sum((probs[i] >= t) == labels[i] for i in idx)
        by_type[typ] = {
            "n": len(idx),
            "label": labels[idx[0]],
            "accuracy": round(right / len(idx), 4),
        }
    return {
        "judge": judge.name,
        "n": len(pairs),
        "n_supported": sum(labels),
        "picked_by": by,
        "auc": auc(labels, probs),
        "best": best,
        "at_current_threshold": confusion(labels, probs, judge.threshold),
        "grid": [confusion(labels, probs, g) for g in GRID],
        "by_type": by_type,
        "pairs": [
            {"id": p.id, "type": p.type, "supported": p.supported, "p": round(q, 4)}
            for p, q in zip(pairs, probs, strict=True)
        ],
    }


def format_calibration(cal: dict[str, Any]) -> str:
    cols = ("threshold", "accuracy", "precision", "recall", "f1", "specificity")
    lines = [
        f"judge {cal['judge']} on {cal['n']} pairs ({cal['n_supported']} supported), "
        f"AUC {cal['auc']}",
        "| " + " | ".join(cols) + " |",
        "|---" * len(cols) + "|",
    ]
    for row in cal["grid"]:
        lines.append("| " + " | ".join(f"{row[c]:.2f}" for c in cols) + " |")
    b = cal["best"]
    lines.append(
        f"picked threshold {b['threshold']:.3f} (best {cal['picked_by']}): accuracy "
        f"{b['accuracy']:.3f}, precision {b['precision']:.3f}, recall {b['recall']:.3f}, "
        f"F1 {b['f1']:.3f}, specificity {b['specificity']:.3f}"
    )
    lines.append(
        "by type: "
        + ", ".join(f"{k} {v['accuracy']:.2f} (n={v['n']})" for k, v in cal["by_type"].items())
    )
    return "\n".join(lines)
