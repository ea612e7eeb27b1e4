"""`python -m eval.support_check`: precision and recall of the pipeline's sentence check
(service/support.py) on the hand-labelled pairs of eval/datasets/judge.jsonl.

The check's thresholds were set by reading corpus passages, not on these pairs, so both splits
are held out for it; they are reported apart because the judge is calibrated on `calib`.
"Positive" means "supported": precision is the share of sentences the check keeps that are
really supported (what users see), recall the share of supported sentences it keeps.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from service.support import SupportChecker


def score(pairs: list[dict[str, Any]], checker: SupportChecker) -> dict[str, Any]:
    tp = fp = fn = tn = 0
    t0 = time.perf_counter()
    for p in pairs:
        passages = {i + 1: text for i, text in enumerate(p["passages"])}
        kept = checker.verdict(p["claim"], tuple(passages), passages).supported
        truth = bool(p["supported"])
        tp += kept and truth
        fp += kept and not truth
        fn += truth and not kept
        tn += not kept and not truth
    n = len(pairs)
    return {
        "n": n,
        "precision": round(tp / (tp + fp), 3) if tp + fp else None,
        "recall": round(tp / (tp + fn), 3) if tp + fn else None,
        "unsupported_kept": fp,  # wrong sentences that would reach a user
        "accuracy": round((tp + tn) / n, 3) if n else None,
        "ms_per_pair": round((time.perf_counter() - t0) * 1000 / max(n, 1), 3),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.support_check", description=__doc__)
    ap.add_argument("--pairs", type=Path, default=Path("eval/datasets/judge.jsonl"))
    args = ap.parse_args(argv)
    try:
        rows = [json.loads(x) for x in args.pairs.read_text(encoding="utf-8").splitlines() if x]
    except (OSError, ValueError) as exc:
        print(f"error: {args.pairs}: {exc}", file=sys.stderr)
        return 2
    checker = SupportChecker()
    out = {"all": score(rows, checker)}
    for split in sorted({str(r.get("split", "")) for r in rows} - {""}):
        out[split] = score([r for r in rows if r.get("split") == split], checker)
    print(json.dumps(out, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
