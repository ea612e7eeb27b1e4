"""Build this round's blind items: `python eval/reviews/2026-12-04-n/make_items_n.py RUN_DIR KEY [DIR]`.

RUN_DIR is an `eval.run` output (its cache/answers.jsonl). Every claim of every answered dev
question (eval/claims.py's split, the one the LLM judge scores), paired with the text of the
passages it cites, deduplicated; mixed in, the `test` split of eval/datasets/judge.jsonl
(hand-labelled, never used to calibrate), so the reviewers' own accuracy can be read off.
Items are shuffled with a fixed seed and split among the reviewers; KEY (kept out of this
folder until the reviewers finish) says where each item came from. DIR (this folder by default)
is where the items go: a later round of the same protocol reuses this script.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from eval.claims import split_claims  # noqa: E402

HERE = Path(__file__).parent
REVIEWERS = 6


def main(run_dir: Path, key_path: Path, out_dir: Path = HERE) -> None:
    pairs: dict[tuple[str, str], dict] = {}  # (passages, claim) -> item
    for line in (run_dir / "cache" / "answers.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if rec["refused"] or rec["error"]:
            continue
        for c in split_claims(rec["answer"]):
            ns = [n for n in c.cites if 1 <= n <= len(rec["passages"])]
            passages = {str(n): rec["passages"][n - 1] for n in ns}
            sig = (json.dumps(passages, ensure_ascii=False, sort_keys=True), c.text)
            item = pairs.setdefault(sig, {"passages": passages, "claim": c.text, "from": []})
            item["from"].append(rec["id"])
    items = list(pairs.values())
    judge = Path(__file__).resolve().parents[2] / "datasets" / "judge.jsonl"
    for line in judge.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["split"] == "test":
            passages = {str(i): p for i, p in enumerate(row["passages"], 1)}
            items.append({"passages": passages, "claim": row["claim"], "from": [row["id"]],
                          "label": row["supported"]})  # fmt: skip
    random.Random(8).shuffle(items)
    key = {}
    for i, it in enumerate(items):
        iid = f"s{i:04d}"
        key[iid] = {"from": it["from"], "label": it.get("label")}
        it["item"] = iid
    for r in range(REVIEWERS):
        with (out_dir / f"items-{r}.jsonl").open("w", encoding="utf-8") as f:
            for it in items[r::REVIEWERS]:
                row = {"item": it["item"], "passages": it["passages"], "claim": it["claim"]}
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
    key_path.write_text(json.dumps(key, ensure_ascii=False, indent=0), encoding="utf-8")
    print(f"{len(items)} items ({sum(k['label'] is not None for k in key.values())} labelled)")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]) if len(sys.argv) > 3 else HERE)
