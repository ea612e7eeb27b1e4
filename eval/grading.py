"""`python -m eval.grading`: how well practice mode grades a user's answer.

    python -m eval.grading [--items eval/datasets/grading.jsonl] [--index DIR]
                           [--url URL [--api-key KEY]] [--lexical] [--out eval/out/grading]

Grades each hand-written answer (in-process by default, or by POST /practice/grade on a
running service with --url), matches the hand-labelled key points to the grader's points by
text, and reports per-point agreement, the covered precision/recall, the score's Pearson and
Spearman correlation with the hand score, contradiction recall and per-kind means. Writes
DIR/rows.jsonl (one row per item, both sides of every point) and DIR/report.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from core.settings import Settings, settings_error
from eval.dataset import DatasetError
from eval.grading_items import Grader, GradingItem, load_grading
from eval.grading_metrics import ItemResult, evaluate, row, summarize

WORST_QUESTIONS = 5  # enough to start reading rows.jsonl from; the full list is in report.json


def run(items: Iterable[GradingItem], grader: Grader) -> list[ItemResult]:
    """Every item graded; one that fails is a row with its error, not the end of the run."""
    out = []
    for item in items:
        try:
            graded = grader.grade(item)
        except Exception as exc:  # noqa: BLE001 - a failed item is reported, the run goes on
            out.append(ItemResult(item, None, (), (), error=f"{type(exc).__name__}: {exc}"))
            continue
        out.append(evaluate(item, graded))
    return out


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def format_report(summary: dict[str, Any]) -> str:
    s = summary
    lines = [
        f"items {s['items']} (graded {s['graded']}, errors {s['errors']})",
        f"points {s['points']}, matched to the grader's points {s['points_matched']}",
        f"point agreement {_fmt(s['point_accuracy'])} · covered precision "
        f"{_fmt(s['covered_precision'])} · covered recall {_fmt(s['covered_recall'])}",
        f"score vs hand score: Pearson {_fmt(s['pearson'])} · Spearman {_fmt(s['spearman'])}"
        f" · mean |error| {_fmt(s['mean_abs_error'])}",
        f"contradictions found {_fmt(s['contradiction_recall'])} of {s['contradictions']}"
        f" · items wrongly told they contradict the notes {s['false_contradiction_items']}",
        "",
        "| kind | n | mean score | mean hand score |",
        "|---|---|---|---|",
    ]
    for kind, k in s["by_kind"].items():
        lines.append(f"| {kind} | {k['n']} | {k['mean_score']:.3f} | {k['mean_hand_score']:.3f} |")
    worst = sorted(s["by_question"].items(), key=lambda kv: -kv[1]["mean_abs_error"])
    lines += ["", f"questions, farthest from the hand scores first (top {WORST_QUESTIONS}):"]
    lines += [
        f"  {q['mean_abs_error']:.2f}  score {q['mean_score']:.2f} vs hand"
        f" {q['mean_hand_score']:.2f} ({q['n']})  {name}"
        for name, q in worst[:WORST_QUESTIONS]
    ]
    return "\n".join(lines)


def write_outputs(results: Sequence[ItemResult], out: Path) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    with (out / "rows.jsonl").open("w", encoding="utf-8") as fh:
        for r in results:
            fh.write(json.dumps(row(r), ensure_ascii=False) + "\n")
    summary = summarize(results)
    (out / "report.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return summary


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m eval.grading", description=__doc__)
    p.add_argument("--items", type=Path, default=Path("eval/datasets/grading.jsonl"))
    p.add_argument("--index", type=Path, help="index directory (default: settings.index_dir)")
    p.add_argument("--url", help="grade on a running service (its base URL) instead")
    p.add_argument("--api-key", help="bearer token for --url (default: settings.api_key)")
    p.add_argument("--user", default="eval-grading", help="the learner id the grades go to")
    p.add_argument(
        "--lexical", action="store_true", help="in-process: without the embedder's similarity"
    )
    p.add_argument("--out", type=Path, default=Path("eval/out/grading"))
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        settings = Settings(**({"index_dir": args.index} if args.index else {}))
    except ValidationError as exc:
        print(f"eval.grading: {settings_error(exc)}", file=sys.stderr)
        return 2
    try:
        items = load_grading(args.items)
    except DatasetError as exc:
        print(exc, file=sys.stderr)
        return 2
    from eval.grading_backend import build_grader  # the service's world, only when running

    grader = build_grader(args, settings)
    results = run(items, grader)
    summary = write_outputs(results, args.out)
    print(format_report(summary))
    print(f"\nrows: {args.out / 'rows.jsonl'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
