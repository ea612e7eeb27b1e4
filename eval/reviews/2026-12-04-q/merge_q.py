"""Add round q's pairs to the judge set: `python eval/reviews/2026-12-04-q/merge_q.py`.

Each item gives two pairs: the system's claim with the annotator's label (type `verbatim`, the
extractive composer's sentences being the notes' own; dropped if the annotator found it
unsupported) and the annotator's unsupported claim (its type). Within each type the pairs
alternate calib, test, calib…, in item order, so the splits stay balanced.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).parent
JUDGE = HERE.parents[1] / "datasets" / "judge.jsonl"


def main() -> None:
    items = [json.loads(x) for x in (HERE / "items-0.jsonl").read_text("utf-8").splitlines()]
    out = [json.loads(x) for x in (HERE / "out-0.jsonl").read_text("utf-8").splitlines()]
    assert [i["item"] for i in items] == [o["item"] for o in out]
    rows = [json.loads(x) for x in JUDGE.read_text("utf-8").splitlines() if x]
    if any(r["id"] == "j-209" for r in rows):
        raise SystemExit("already merged")
    new: list[dict] = []
    for it, o in zip(items, out, strict=True):
        if o["supported"]:
            new.append({"passages": it["passages"], "claim": it["claim"], "supported": True,
                        "type": "verbatim", "source": "system:extractive"})  # fmt: skip
        new.append({"passages": it["passages"], "claim": o["perturbed"], "supported": False,
                    "type": o["perturbed_type"], "source": "hand"})  # fmt: skip
    seen: dict[str, int] = {}
    with JUDGE.open("a", encoding="utf-8") as f:
        for i, row in enumerate(new, len(rows) + 1):
            k = seen[row["type"]] = seen.get(row["type"], -1) + 1
            split = "calib" if k % 2 == 0 else "test"
            keyed = {"id": f"j-{i:03d}", **row, "split": split}
            f.write(json.dumps(keyed, ensure_ascii=False) + "\n")
    print(f"added {len(new)} pairs ({sum(r['supported'] for r in new)} supported)")


if __name__ == "__main__":
    main()
