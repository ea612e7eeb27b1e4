"""Score the fifth session's blind review: `python eval/reviews/2026-12-04-d/score_review_d.py`.

Four reviewers (independent agents, not the pipeline and not the eval judge) each read a
quarter of the 55 answerable dev answers that changed between A (commit c161372, the answers
the whole-set figure of ../2026-12-04-c was read on) and B (commit f89a39d: list items bring
their second sentence, numbers keep their unit, a close call shows its third section), both
versions shuffled and unlabelled, following INSTRUCTIONS.md plus the note that a line about
where the content comes from is not a claim. key.json says which item was which version.
The whole-set figure puts this reading of B in place of the earlier readings of the changed
answers, and keeps the earlier readings of the answers that did not change.
B's number-with-unit term was then reverted (0ec3c97: it cost dev-051 its 1B → 4G line); a
fifth reviewer read that one answer as it is at the final commit (items-4, version F), so the
final whole-set figure takes that reading for dev-051.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

HERE = Path(__file__).parent
_spec = importlib.util.spec_from_file_location(
    "score_final", HERE.parent / "2026-12-04-c" / "score_final.py"
)
assert _spec and _spec.loader
_final = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_final)


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


def _earlier() -> dict[str, dict]:
    """The reading behind the 0.782 whole-set figure: ../2026-12-04's B, with ../2026-12-04-c's
    B for the answers that changed there."""
    c = _final._read(_final.HERE, (0, 1, 2))
    first = _final._read(_final.FIRST, (0, 1))
    out = {k.split("/")[0]: o for k, o in first.items() if k.endswith("/B")}
    out.update({k.split("/")[0]: o for k, o in c.items() if k.endswith("/B")})
    return out


def main() -> None:
    new = _read(HERE, (0, 1, 2, 3))
    changed = sorted({k.split("/")[0] for k in new})
    for version in ("A", "B"):
        c, p, w = _sum([new[f"{q}/{version}"] for q in changed])
        print(f"changed answers, {version}: {c}/{p} points covered; misleading: {w}")
    better = [q for q in changed if sum(new[f"{q}/B"]["covered"]) > sum(new[f"{q}/A"]["covered"])]
    worse = [q for q in changed if sum(new[f"{q}/B"]["covered"]) < sum(new[f"{q}/A"]["covered"])]
    print(
        f"B vs A, question by question: {len(better)} better {better}, {len(worse)} worse {worse}"
    )
    off = [sum(new[f"{q}/{v}"]["offtopic"] for q in changed) for v in ("A", "B")]
    print(f"off-topic lines counted, A / B: {off[0]} / {off[1]}")
    earlier = _earlier()
    c, p, w = _sum([earlier[q] for q in changed])
    print(f"the same A answers in the earlier reading: {c}/{p} points covered; misleading: {w}")
    whole = {**earlier, **{q: new[f"{q}/B"] for q in changed}}
    c, p, w = _sum(list(whole.values()))
    misleading = sorted(q for q, o in whole.items() if o["wrong"])
    print(
        f"whole set at B: {c}/{p} points covered = {c / p:.3f}; misleading answers: {w} {misleading}"
    )
    final = {**whole, **{k.split("/")[0]: o for k, o in _read(HERE, (4,)).items()}}
    c, p, w = _sum(list(final.values()))
    print(f"whole set at the final commit: {c}/{p} points covered = {c / p:.3f}; misleading: {w}")


if __name__ == "__main__":
    main()
