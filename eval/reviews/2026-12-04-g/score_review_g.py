"""Score the errata's second blind round: `python eval/reviews/2026-12-04-g/score_review_g.py`.

One reviewer (an independent agent, not the pipeline and not the eval judge) read the 7 dev
answers that changed between A (the errata of eval/reviews/2026-12-04-f, with caveats) and B
(commit c229bbc: every entry leaves its statement out, five more entries, LoRA's "why faster"
section retracted), both versions shuffled and unlabelled, with the same INSTRUCTIONS.md.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).parent


def main() -> None:
    key = json.loads((HERE / "key.json").read_text(encoding="utf-8"))
    got: dict[str, dict] = {}
    for r in (0,):
        for line in (HERE / f"out-{r}.jsonl").read_text(encoding="utf-8").splitlines():
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
        print(
            f"{v}: points {covered}/{points}; false sentences {n_false} in {len(false)} answers;"
            f" misleading {len(misled)} {misled}"
        )
    for q in questions:
        a, b = got[f"{q}/A"], got[f"{q}/B"]
        print(
            f"{q}: points {sum(a['covered'])} -> {sum(b['covered'])}/{len(a['covered'])};"
            f" false {len(a['false'])} -> {len(b['false'])};"
            f" misleading {a['misleading']} -> {b['misleading']}"
        )
        for s in b["false"]:
            print(f"    still false in B: {s[:110]}")


if __name__ == "__main__":
    main()
