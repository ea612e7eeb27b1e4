"""`python -m eval.run --calibrate-judge`: measure the judge on hand-labelled pairs and pick
its threshold.

eval/datasets/judge.jsonl holds (passages, claim, supported, type) rows: paraphrased true
claims, subtly wrong numbers and names, contradictions, and claims true in general but absent
from the passages. The judge's probability for each row is compared with the label at every
threshold; the one with the best accuracy (or F1) is picked.

Pairs carry a fixed `split` (calib/test, stratified by type): when they do, the threshold is
picked on the calib pairs only and accuracy, precision, recall and AUC are reported on the test
pairs, which the threshold never saw. `source` says where a claim came from (hand-written, or a
sentence the system produced), so the report can show the judge on real answers separately.
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
    source: str = "hand"  # "hand", or "system:<generator>" for a sentence the system produced
    split: Literal["calib", "test", ""] = ""  # "" (no split): pick and report on all pairs


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
    calib = [i for i, p in enumerate(pairs) if p.split == "calib"]
    test = [i for i, p in enumerate(pairs) if p.split == "test"]
    split = bool(calib and test)
    fit = calib if split else list(range(len(pairs)))
    best = pick_threshold([labels[i] for i in fit], [probs[i] for i in fit], by)
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
        "split": _split_report(pairs, labels, probs, t, calib, test) if split else None,
        "pairs": [
            {
                "id": p.id,
                "type": p.type,
                "source": p.source,
                "split": p.split,
                "supported": p.supported,
                "p": round(q, 4),
            }
            for p, q in zip(pairs, probs, strict=True)
        ],
    }


def _split_report(
    pairs: Sequence[JudgePair],
    labels: list[bool],
    probs: list[float],
    t: float,
    calib: list[int],
    test: list[int],
) -> dict[str, Any]:
    """The threshold `t` (picked on calib) scored on each part; the test figures are the
    honest ones. Test pairs are also broken down by type and by source."""

    def part(idx: list[int]) -> dict[str, Any]:
        ys, ps = [labels[i] for i in idx], [probs[i] for i in idx]
        return {"n": len(idx), "n_supported": sum(ys), "auc": auc(ys, ps), **confusion(ys, ps, t)}

    def groups(key: str) -> dict[str, dict[str, Any]]:
        names = sorted({getattr(pairs[i], key) for i in test})
        return {g: part([i for i in test if getattr(pairs[i], key) == g]) for g in names}

    return {
        "calib": part(calib),
        "test": part(test),
        "test_by_type": groups("type"),
        "test_by_source": groups("source"),
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
        f"picked threshold {b['threshold']:.3f} (best {cal['picked_by']}"
        f"{' on the calib split' if cal.get('split') else ''}): accuracy "
        f"{b['accuracy']:.3f}, precision {b['precision']:.3f}, recall {b['recall']:.3f}, "
        f"F1 {b['f1']:.3f}, specificity {b['specificity']:.3f}"
    )
    lines.append(
        "by type: "
        + ", ".join(f"{k} {v['accuracy']:.2f} (n={v['n']})" for k, v in cal["by_type"].items())
    )
    if cal.get("split"):
        lines += format_split(cal["split"])
    return "\n".join(lines)


def format_split(split: dict[str, Any]) -> list[str]:
    """Calib vs held-out test figures at the threshold picked on calib."""

    def fig(b: dict[str, Any]) -> str:
        return (
            f"n={b['n']} ({b['n_supported']} supported): accuracy {b['accuracy']:.3f}, "
            f"precision {b['precision']:.3f}, recall {b['recall']:.3f}, F1 {b['f1']:.3f}, "
            f"specificity {b['specificity']:.3f}, AUC {b['auc']}"
        )

    lines = [
        f"threshold {split['test']['threshold']:.3f} picked on calib only",
        f"calib {fig(split['calib'])}",
        f"TEST (held out) {fig(split['test'])}",
    ]
    for key in ("test_by_source", "test_by_type"):
        lines.append(
            f"test by {key[8:]}: "
            + ", ".join(f"{k} {v['accuracy']:.2f} (n={v['n']})" for k, v in split[key].items())
        )
    return lines
