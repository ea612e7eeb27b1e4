"""Score the end-of-day blind review: `python eval/reviews/2026-12-04-c/score_final.py`.

Two reviewers (independent agents, not the pipeline and not the eval judge) each read half of
the 25 answerable dev answers that changed between A (commit e14b4ed, the version B of
../2026-12-04) and B (commit aae624e), both versions shuffled and unlabelled, following
INSTRUCTIONS.md; the prompt added one note: a line about where the content comes from
("…以下取自最接近的「…」：") is not a claim, to take into account when judging whether a learner
would be misled. key.json says which item was which version. The whole-set figure puts this
reading of the changed answers in place of the first review's reading of the same answers.
A third reviewer read dev-067 (items-2): the first review read a version of it (ebca049) that
was mended before e14b4ed, so that reading was stale; A there is ebca049's answer.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).parent
FIRST = HERE.parent / "2026-12-04"


def _read(folder: Path, halves: tuple[int, ...]) -> dict[str, dict]:
    key = json.loads((folder / "key.json").read_text())
    out: dict[str, dict] = {}
    for half in halves:
        for line in (folder / f"out-{half}.jsonl").read_text().splitlines():
            o = json.loads(line)
            out[f"{o['item'].split('#')[0]}/{key[o['item']]}"] = o
    return out


def _sum(rows: list[dict]) -> tuple[int, int, int]:
    return (
        sum(sum(o["covered"]) for o in rows),
        sum(len(o["covered"]) for o in rows),
        sum(bool(o["wrong"]) for o in rows),
    )


def main() -> None:
    new = _read(HERE, (0, 1, 2))
    changed = sorted({k.split("/")[0] for k in new})
    for version in ("A", "B"):
        c, p, w = _sum([new[f"{q}/{version}"] for q in changed])
        print(f"changed answers, {version}: {c}/{p} points covered; misleading: {w}")
    better = sum(sum(new[f"{q}/B"]["covered"]) > sum(new[f"{q}/A"]["covered"]) for q in changed)
    worse = sum(sum(new[f"{q}/B"]["covered"]) < sum(new[f"{q}/A"]["covered"]) for q in changed)
    print(f"B vs A, question by question: {better} better, {worse} worse")
    first = _read(FIRST, (0, 1))
    kept = [o for k, o in first.items() if k.endswith("/B") and k.split("/")[0] not in changed]
    c, p, w = _sum(kept + [new[f"{q}/B"] for q in changed])
    print(f"whole set at B: {c}/{p} points covered = {c / p:.3f}; misleading answers: {w}")


if __name__ == "__main__":
    main()
