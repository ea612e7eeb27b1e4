"""Score the errata's blind reviews: `python eval/reviews/2026-12-04-f/score_review_f.py [DIR]`.

DIR (default: this folder) is a round with key.json and out-*.jsonl; the later rounds use
this scorer too: eval/reviews/2026-12-04-g (one reviewer, the 7 answers changed when the
caveats went) and eval/reviews/2026-12-04-i (two reviewers, the 14 answers changed by the
errata from the whole-set review ../2026-12-04-h). Each round's README.md says what A and B are.

This folder's round:

Two reviewers (independent agents, not the pipeline and not the eval judge) each read half of
the 21 dev answers that changed between A (commit 1e8aeb0, before errata) and B (the errata
of corpus/overrides.toml applied), both versions shuffled and unlabelled, with
INSTRUCTIONS.md: points covered, and, unlike the earlier reviews, sentences FALSE by the
reviewer's own knowledge (the notes are not always right), editor's notes included, and
whether a learner would be misled. key.json says which item was which version.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main(here: Path = HERE) -> None:
    key = json.loads((here / "key.json").read_text(encoding="utf-8"))
    got: dict[str, dict] = {}
    for out in sorted(here.glob("out-*.jsonl")):
        for line in out.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            got[f"{row['item'].split('#')[0]}/{key[row['item']]}"] = row
    questions = sorted({k.split("/")[0] for k in got})
    for v in ("A", "B"):
        rows = [got[f"{q}/{v}"] for q in questions]
        covered = sum(sum(r["covered"]) for r in rows)
        points = sum(len(r["covered"]) for r in rows)
        false = [q for q in questions if got[f"{q}/{v}"]["false"]]
        misled = [q for q in questions if got[f"{q}/{v}"]["misleading"]]
        n_false = sum(len(got[f"{q}/{v}"]["false"]) for q in questions)
        # round x and later also say whether the first sentence answers the question
        direct = [q for q in questions if got[f"{q}/{v}"].get("direct")]
        opens = (
            f"; first sentence answers {len(direct)}/{len(questions)}"
            if any("direct" in r for r in rows)
            else ""
        )
        print(
            f"{v}: points {covered}/{points}; false sentences {n_false} in {len(false)} answers;"
            f" misleading {len(misled)} {misled}{opens}"
        )
    for q in questions:
        a, b = got[f"{q}/A"], got[f"{q}/B"]
        print(
            f"{q}: points {sum(a['covered'])} -> {sum(b['covered'])}/{len(a['covered'])};"
            f" false {len(a['false'])} -> {len(b['false'])};"
            f" misleading {a['misleading']} -> {b['misleading']}"
            + (f"; direct {a['direct']} -> {b['direct']}" if "direct" in a else "")
        )
        for s in b["false"]:
            print(f"    still false in B: {s[:110]}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
