"""Sweep fusion settings on a question file against the published index (dev set only).

    python scripts/tune_retrieval.py [--questions eval/datasets/dev.jsonl]

Query vectors are computed once and reused, so a sweep costs seconds.
"""

from __future__ import annotations

import argparse
import sys
from functools import lru_cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.retrieval import open_retriever  # noqa: E402
from core.settings import Settings  # noqa: E402
from eval.dataset import load_items  # noqa: E402
from eval.retrieval_metrics import score_retrieval  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--questions", type=Path, default=Path("eval/datasets/dev.jsonl"))
    args = ap.parse_args()
    items = load_items(args.questions)
    base = Settings()
    retriever = open_retriever(base)
    embed = lru_cache(maxsize=None)(retriever.embedder.embed_query_vector)
    retriever.embedder.embed_query_vector = embed  # type: ignore[method-assign]
    grid = [("rrf", 0.5, k) for k in (10, 30, 60)] + [
        ("weighted", w, 60) for w in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
    ]
    print("| fusion | dense_weight | rrf_k | hit@1 | hit@3 | hit@5 | mrr@10 | multi@10 |")
    print("|---|---|---|---|---|---|---|---|")
    for fusion, w, rrf_k in grid:
        retriever.settings = base.model_copy(
            update={"fusion": fusion, "dense_weight": w, "rrf_k": rrf_k}
        )
        rows = [(it, [h.chunk for h in retriever.search(it.question, 10)]) for it in items]
        r = score_retrieval(rows)
        print(
            f"| {fusion} | {w if fusion == 'weighted' else '-'} | {rrf_k if fusion == 'rrf' else '-'} "
            f"| {r['hit@1']:.3f} | {r['hit@3']:.3f} | {r['hit@5']:.3f} | {r['mrr@10']:.3f} "
            f"| {r['strict_multi@10']:.3f} |"
        )


if __name__ == "__main__":
    main()
