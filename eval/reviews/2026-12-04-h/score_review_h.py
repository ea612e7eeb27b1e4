"""Score the whole-set factual review: `python eval/reviews/2026-12-04-h/score_review_h.py`.

Four reviewers (independent agents, not the pipeline and not the eval judge) each read a
quarter of the 95 answerable dev answers of commit 22d2a7e (errata applied), one version
each, with ../2026-12-04-f/INSTRUCTIONS.md: points covered, sentences false by the
reviewer's own knowledge (editor's notes included), misleading or not. With `--then DIR...`
(later rounds that read some answers again, both versions, key.json in each DIR), those
answers' B readings replace these, round after round: the whole set at the last round's B.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HERE = Path(__file__).parent


def _rows(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument(
        "--then", type=Path, nargs="*", default=[],
        help="later rounds' folders (key.json, out-*.jsonl), applied in order",
    )  # fmt: skip
    args = p.parse_args()
    got = {r["item"]: r for i in range(4) for r in _rows(HERE / f"out-{i}.jsonl")}
    for then in args.then:
        key = json.loads((then / "key.json").read_text(encoding="utf-8"))
        for out in sorted(then.glob("out-*.jsonl")):
            for r in _rows(out):
                if key[r["item"]] == "B":
                    got[r["item"].split("#")[0]] = r
    covered = sum(sum(r["covered"]) for r in got.values())
    points = sum(len(r["covered"]) for r in got.values())
    false = sorted(q for q, r in got.items() if r["false"])
    misled = sorted(q for q, r in got.items() if r["misleading"])
    print(f"{len(got)} answers: points {covered}/{points} = {covered / points:.3f}")
    print(f"answers with a false sentence: {len(false)} {false}")
    print(f"misleading answers: {len(misled)} {misled}")


if __name__ == "__main__":
    main()
