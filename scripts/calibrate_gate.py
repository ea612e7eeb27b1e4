"""Calibrate the refusal gate on a question file (the dev set only), at the default top_k.

    python scripts/calibrate_gate.py [--questions eval/datasets/dev.jsonl]

Prints, for a grid of thresholds, the share of unanswerable questions refused (want high)
and of answerable ones refused (want low), and the best setting with false refusals <= 5%.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.retrieval import open_retriever  # noqa: E402
from core.settings import Settings  # noqa: E402
from eval.dataset import load_items  # noqa: E402
from service.gate import EvidenceGate  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--questions", type=Path, default=Path("eval/datasets/dev.jsonl"))
    ap.add_argument("--max-false", type=float, default=0.05)
    args = ap.parse_args()
    settings = Settings()
    retriever = open_retriever(settings)
    items = load_items(args.questions)
    runs = [(it, retriever.search(it.question, settings.top_k)) for it in items]
    n_ans = sum(it.answerable for it in items)
    n_un = len(items) - n_ans
    rows = []
    grid = itertools.product(
        (0.84, 0.85, 0.86, 0.87, 0.88),
        (0.78, 0.79, 0.80, 0.81, 0.82),
        (0.0, 0.1, 0.2, 0.3, 0.4),
    )
    for cjk, latin, cov in grid:
        gate = EvidenceGate(cjk, latin, cov)
        refused = [(it, gate.decide(hits, it.question).refuse) for it, hits in runs]
        true_r = sum(r for it, r in refused if not it.answerable) / n_un
        false_r = sum(r for it, r in refused if it.answerable) / n_ans
        rows.append((true_r, -false_r, cjk, latin, cov))
    print(
        f"{len(items)} questions: {n_ans} answerable, {n_un} unanswerable; top_k={settings.top_k}"
    )
    print(
        "| min_dense_cjk | min_dense_latin | min_coverage | refused unanswerable | refused answerable |"
    )
    print("|---|---|---|---|---|")
    frontier: dict[float, tuple[float, float, float, float, float]] = {}
    for row in rows:
        fr = -row[1]
        if fr not in frontier or row[0] > frontier[fr][0]:
            frontier[fr] = row
    for fr in sorted(frontier):
        t, _, c, la, cv = frontier[fr]
        print(f"| {c} | {la} | {cv} | {t:.3f} | {fr:.3f} |")
    ok = [r for r in rows if -r[1] <= args.max_false]
    best = max(ok, key=lambda r: (r[0], r[1]))
    print(
        f"best with false refusals <= {args.max_false}: cjk={best[2]} latin={best[3]} "
        f"coverage={best[4]} -> refused unanswerable {best[0]:.3f}, answerable {-best[1]:.3f}"
    )


if __name__ == "__main__":
    main()
