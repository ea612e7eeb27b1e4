"""`python -m eval.run --compare DIR_A DIR_B`: what changed, question by question.

Reads the rows.jsonl of two runs (A = before, B = after) and lists, per question present in
both, what got worse and what got better: the rank of the first relevant hit, refusal flips
(an answerable question newly refused, an unanswerable one newly answered), answer points lost
or gained, unsupported sentences that are new or gone. Regressions come first, so a change that
helps on average but breaks three questions shows those three at the top.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from eval.rows import cell, read_rows

Row = Mapping[str, Any]


def _rank_change(a: Row, b: Row) -> tuple[list[str], list[str]]:
    if a["kind"] == "unanswerable":
        return [], []
    ra, rb = a.get("rank"), b.get("rank")
    if ra == rb:
        return [], []
    text = f"rank {ra or 'miss'} → {rb or 'miss'}"
    worse = rb is None or (ra is not None and rb > ra)
    return ([text], []) if worse else ([], [text])


def _refusal_change(a: Row, b: Row) -> tuple[list[str], list[str]]:
    fa, fb = a.get("refused"), b.get("refused")
    if fa is None or fb is None or fa == fb:
        return [], []
    if a["kind"] == "unanswerable":
        return (["now answered"], []) if not fb else ([], ["now refused"])
    why = b.get("refusal_reason") or "?"
    return ([f"newly refused ({why})"], []) if fb else ([], ["no longer refused"])


def _set(row: Row, key: str) -> set[str] | None:
    v = row.get(key)
    if v is None:
        return None
    return {u["text"] if isinstance(u, dict) else str(u) for u in v}


def _points_change(a: Row, b: Row) -> tuple[list[str], list[str]]:
    ha, hb = _set(a, "points_hit"), _set(b, "points_hit")
    if ha is None or hb is None:
        return [], []
    lost = sorted(ha - hb)
    gained = sorted(hb - ha)
    return ([f"lost point: {p}" for p in lost], [f"gained point: {p}" for p in gained])


def _unsupported_change(a: Row, b: Row) -> tuple[list[str], list[str]]:
    ua, ub = _set(a, "unsupported"), _set(b, "unsupported")
    if ub is None:
        return [], []
    new = sorted(ub - (ua or set()))
    gone = sorted((ua or set()) - ub)
    return ([f"new unsupported: {s}" for s in new], [f"unsupported gone: {s}" for s in gone])


CHECKS = (_rank_change, _refusal_change, _points_change, _unsupported_change)


def compare_rows(rows_a: Sequence[Row], rows_b: Sequence[Row]) -> dict[str, Any]:
    """Per-question changes between two runs, regressions first, and counts of each kind."""
    a_by = {r["id"]: r for r in rows_a}
    b_by = {r["id"]: r for r in rows_b}
    both = [i for i in a_by if i in b_by]
    changes: list[dict[str, Any]] = []
    counts = {"rank_worse": 0, "rank_better": 0, "refusal_worse": 0, "refusal_better": 0}
    counts |= {"points_lost": 0, "points_gained": 0, "unsupported_new": 0, "unsupported_gone": 0}
    names = (
        ("rank_worse", "rank_better"),
        ("refusal_worse", "refusal_better"),
        ("points_lost", "points_gained"),
        ("unsupported_new", "unsupported_gone"),
    )
    for qid in both:
        a, b = a_by[qid], b_by[qid]
        worse: list[str] = []
        better: list[str] = []
        for check, (w_name, b_name) in zip(CHECKS, names, strict=True):
            w, g = check(a, b)
            worse += w
            better += g
            counts[w_name] += len(w)
            counts[b_name] += len(g)
        if worse or better:
            changes.append(
                {
                    "id": qid,
                    "kind": b["kind"],
                    "question": b["question"],
                    "worse": worse,
                    "better": better,
                    "a": _brief(a),
                    "b": _brief(b),
                }
            )
    # Regressions first (most lost first), then mixed, then pure improvements; ids break ties.
    changes.sort(key=lambda c: (not c["worse"], -len(c["worse"]), bool(c["better"]), c["id"]))
    return {
        "n_a": len(rows_a),
        "n_b": len(rows_b),
        "n_compared": len(both),
        "only_a": sorted(set(a_by) - set(b_by)),
        "only_b": sorted(set(b_by) - set(a_by)),
        "regressed": sum(1 for c in changes if c["worse"]),
        "improved": sum(1 for c in changes if c["better"] and not c["worse"]),
        "unchanged": len(both) - len(changes),
        "counts": counts,
        "changes": changes,
    }


def _brief(row: Row) -> str:
    """One cell summing up a run's row: rank, refusal, points, unsupported count, support."""
    parts = []
    if row["kind"] != "unanswerable":
        parts.append(f"r{row.get('rank') or '-'}")
    if row.get("refused") is not None:
        parts.append("refused" if row["refused"] else "answered")
    hit, missed = row.get("points_hit"), row.get("points_missed")
    if hit is not None and missed is not None and hit + missed:
        parts.append(f"pts {len(hit)}/{len(hit) + len(missed)}")
    if row.get("unsupported") is not None:
        parts.append(f"unsup {len(row['unsupported'])}")
    sup = row.get("support")
    if isinstance(sup, dict) and "level" in sup:
        parts.append(f"sup {sup['level']}")
    elif isinstance(sup, int | float):
        parts.append(f"sup {sup:.2f}")
    return " ".join(parts) or "-"


def summary_line(cmp: Mapping[str, Any]) -> str:
    c = cmp["counts"]
    return (
        f"{cmp['n_compared']} questions compared: {cmp['regressed']} regressed, "
        f"{cmp['improved']} improved only, {cmp['unchanged']} unchanged; "
        f"rank worse {c['rank_worse']} / better {c['rank_better']}, "
        f"refusal flips worse {c['refusal_worse']} / better {c['refusal_better']}, "
        f"points lost {c['points_lost']} / gained {c['points_gained']}, "
        f"unsupported sentences new {c['unsupported_new']} / gone {c['unsupported_gone']}"
    )


def render_compare(a: Path, b: Path, cmp: Mapping[str, Any]) -> str:
    out = [f"# Comparison: `{a}` (A) → `{b}` (B)", "", summary_line(cmp) + ".", ""]
    for side, ids in (("A", cmp["only_a"]), ("B", cmp["only_b"])):
        if ids:
            out += [f"Only in {side}: {', '.join(ids)}.", ""]
    if not cmp["changes"]:
        return "\n".join([*out, "No question changed."]) + "\n"
    out += ["| id | kind | question | A | B | worse | better |", "|---|---|---|---|---|---|---|"]
    for ch in cmp["changes"]:
        worse = "<br>".join(cell(w, 60) for w in ch["worse"]) or "-"
        better = "<br>".join(cell(g, 60) for g in ch["better"]) or "-"
        out.append(
            f"| {ch['id']} | {ch['kind']} | {cell(ch['question'], 40)} | {ch['a']} | {ch['b']} "
            f"| {worse} | {better} |"
        )
    return "\n".join(out) + "\n"


def run_compare(a: Path, b: Path, out: Path) -> dict[str, Any]:
    """Compare the runs in directories `a` and `b`; write out/compare.md and compare.json."""
    rows = []
    for d in (a, b):
        path = d / "rows.jsonl"
        if not path.is_file():
            raise ValueError(f"{path}: no rows (run `python -m eval.run --out {d}` first)")
        rows.append(read_rows(path))
    cmp = compare_rows(rows[0], rows[1])
    out.mkdir(parents=True, exist_ok=True)
    (out / "compare.md").write_text(render_compare(a, b, cmp), encoding="utf-8")
    (out / "compare.json").write_text(json.dumps(cmp, ensure_ascii=False, indent=2))
    return cmp
