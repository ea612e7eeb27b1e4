"""Score the fifth session's second blind review: `python eval/reviews/2026-12-04-e/score_review_e.py`.

Three reviewers (independent agents, not the pipeline and not the eval judge) each read a third
of the 30 answerable dev answers that changed between A (commit 0ec3c97, the final answers of
../2026-12-04-d) and B (commit 6c69aa1: a number asked for joins from another section, a sure
prose section gives its paragraph, a close call's other sections give all their points), both
versions shuffled and unlabelled, with the instructions and note of ../2026-12-04-d. key.json
says which item was which version. The whole-set figure puts this reading of B in place of
the earlier readings of the changed answers and keeps the rest.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

HERE = Path(__file__).parent
_spec = importlib.util.spec_from_file_location(
    "score_review_d", HERE.parent / "2026-12-04-d" / "score_review_d.py"
)
assert _spec and _spec.loader
_d = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_d)


def _before() -> dict[str, dict]:
    """The reading behind ../2026-12-04-d's final whole-set figure, question by question."""
    new = _d._read(_d.HERE, (0, 1, 2, 3))
    changed = {k.split("/")[0] for k in new}
    whole = {**_d._earlier(), **{q: new[f"{q}/B"] for q in changed}}
    whole.update({k.split("/")[0]: o for k, o in _d._read(_d.HERE, (4,)).items()})
    return whole


def main() -> None:
    new = _d._read(HERE, (0, 1, 2))
    changed = sorted({k.split("/")[0] for k in new})
    for version in ("A", "B"):
        c, p, w = _d._sum([new[f"{q}/{version}"] for q in changed])
        print(f"changed answers, {version}: {c}/{p} points covered; misleading: {w}")
    better = [q for q in changed if sum(new[f"{q}/B"]["covered"]) > sum(new[f"{q}/A"]["covered"])]
    worse = [q for q in changed if sum(new[f"{q}/B"]["covered"]) < sum(new[f"{q}/A"]["covered"])]
    print(
        f"B vs A, question by question: {len(better)} better {better}, {len(worse)} worse {worse}"
    )
    off = [sum(new[f"{q}/{v}"]["offtopic"] for q in changed) for v in ("A", "B")]
    print(f"off-topic lines counted, A / B: {off[0]} / {off[1]}")
    before = _before()
    c, p, w = _d._sum([before[q] for q in changed])
    print(f"the same A answers in the earlier readings: {c}/{p} points covered; misleading: {w}")
    whole = {**before, **{q: new[f"{q}/B"] for q in changed}}
    c, p, w = _d._sum(list(whole.values()))
    misleading = sorted(q for q, o in whole.items() if o["wrong"])
    print(f"whole set at B: {c}/{p} points covered = {c / p:.3f}; misleading: {w} {misleading}")


if __name__ == "__main__":
    main()
