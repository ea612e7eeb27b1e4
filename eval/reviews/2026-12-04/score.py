"""Score a blind review: `python eval/reviews/2026-12-04/score.py`.

Two reviewers (independent agents, not the pipeline and not the eval judge) each read half of
the 95 answerable dev questions, both versions of every answer they got (A: commit 5d7fe2c, B:
commit ebca049), shuffled and unlabelled, and marked each hand-written point covered or not,
following INSTRUCTIONS.md. key.json says which item was which version.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).parent


def main() -> None:
    key = json.loads((HERE / "key.json").read_text())
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # covered, points, wrong
    per_q: dict[tuple[str, str], float] = {}
    for half in (0, 1):
        for line in (HERE / f"out-{half}.jsonl").read_text().splitlines():
            o = json.loads(line)
            version, qid = key[o["item"]], o["item"].split("#")[0]
            t = totals[version]
            t[0] += sum(o["covered"])
            t[1] += len(o["covered"])
            t[2] += bool(o["wrong"])
            per_q[(qid, version)] = sum(o["covered"]) / len(o["covered"])
    for version, (covered, points, wrong) in sorted(totals.items()):
        print(
            f"{version}: {covered}/{points} points covered = {covered / points:.3f}; "
            f"answers with a misleading sentence: {wrong}"
        )
    qids = {q for q, _ in per_q}
    better = sum(per_q[(q, "B")] > per_q[(q, "A")] for q in qids)
    worse = sum(per_q[(q, "B")] < per_q[(q, "A")] for q in qids)
    print(f"B vs A, question by question: {better} better, {worse} worse")


if __name__ == "__main__":
    main()
