"""Score round n: `python eval/reviews/2026-12-04-n/score_review_n.py [DIR]`.

Six reviewers (independent agents: not the pipeline, not the eval's LLM judge) read every
claim of the dev set's extractive answers at f0b706f (805 distinct (passages, claim) pairs,
862 claims in 93 answers), each beside the text of the passages it cites, with
INSTRUCTIONS.md; the 102 hand-labelled `test` pairs of eval/datasets/judge.jsonl were mixed in
unmarked, so the reviewers' own accuracy is measured too. key.json (written after they
finished) says where each item came from. DIR (this folder by default): a later round of the
same protocol, with its own key.json and out-*.jsonl.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main(here: Path = HERE) -> None:
    key = json.loads((here / "key.json").read_text(encoding="utf-8"))
    got = {}
    for out in sorted(here.glob("out-*.jsonl")):
        for line in out.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            got[row["item"]] = row
    assert set(got) == set(key), "every item judged once"
    truth = [(k["label"], got[i]["supported"]) for i, k in key.items() if k["label"] is not None]
    right = sum(t == r for t, r in truth)
    caught = sum(not t and not r for t, r in truth)
    print(f"labelled pairs: {right}/{len(truth)} judged as labelled; "
          f"unsupported caught {caught}/{sum(not t for t, _ in truth)}")  # fmt: skip
    dev = {i: k for i, k in key.items() if k["label"] is None}
    claims = sum(len(k["from"]) for k in dev.values())
    answers = {a for k in dev.values() for a in k["from"]}
    bad = {i: k for i, k in dev.items() if not got[i]["supported"]}
    bad_claims = sum(len(k["from"]) for k in bad.values())
    bad_answers = {a for k in bad.values() for a in k["from"]}
    print(f"dev pairs {len(dev)}, claims {claims} in {len(answers)} answers")
    print(f"unsupported: {bad_claims}/{claims} claims = {bad_claims / claims:.2%}; "
          f"answers with one: {len(bad_answers)}/{len(answers)} = "
          f"{len(bad_answers) / len(answers):.1%}")  # fmt: skip
    for i, k in sorted(bad.items()):
        print(f"  {i} {','.join(k['from'])}: {got[i]['why']}")
    ooc = [i for i in dev if got[i]["supported"] and got[i]["out_of_context"]]
    print(f"supported but out of context, read alone: {len(ooc)} pairs")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
