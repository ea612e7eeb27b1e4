"""One row per question: DIR/rows.jsonl and the per-question table at the end of report.md.

A row joins what the aggregate tables average away: the rank of the first relevant hit, whether
the answer was refused and why, which hand-written answer points the judge found in the answer
and which it did not, the sentences the judge did not find supported, the pipeline's own
support figure (when its records carry one) and the latency. Rows are what `--compare` diffs.

Everything judged here is judged by the eval judge (eval/judge.py), never by the pipeline's own
sentence check: the pipeline's verdicts (`removed_sentences`, `support`) are shown as reported,
next to the judge's, not used in their place.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from eval.answer_metrics import Judgment, answered, opens_on_a_point
from eval.answers import AnswerRecord
from eval.claims import editor_notes
from eval.dataset import EvalItem
from eval.points import lexical_points

# Optional fields a newer pipeline may put in its answer records: copied into the row as they are.
PIPELINE_FIELDS = ("support", "removed", "removed_sentences", "missing_terms")


def _pipeline_extras(rec: AnswerRecord) -> dict[str, Any]:
    dump = rec.model_dump()
    return {f: dump[f] for f in PIPELINE_FIELDS if dump.get(f) not in (None, [], {})}


def flags(row: Mapping[str, Any]) -> list[str]:
    """Short labels for what went wrong on this question (empty when nothing did)."""
    out: list[str] = []
    answerable = row["kind"] != "unanswerable"
    if row.get("error"):
        out.append("error")
    if answerable and row.get("rank") is None:
        out.append("not_retrieved")
    refused = row.get("refused")
    if refused is True and answerable:
        out.append("false_refusal")
    if refused is False and not answerable:
        out.append("answered_unanswerable")
    if row.get("points_missed"):
        out.append("points_missed")
    if row.get("unsupported"):
        out.append("unsupported")
    return out


def build_rows(
    items: Sequence[EvalItem],
    ranks: Mapping[str, int | None],
    records: Sequence[AnswerRecord] | None = None,
    judgments: Mapping[str, Judgment] | None = None,
    threshold: float = 0.5,
) -> list[dict[str, Any]]:
    """Rows in the order of `items`. Without records (a retrieval-only run) a row has the rank
    only; without judgments the points and unsupported fields are None (not judged), except
    that a refused answerable question misses every point whatever the judge."""
    by_id = {r.id: r for r in records or ()}
    rows: list[dict[str, Any]] = []
    for item in items:
        row: dict[str, Any] = {
            "id": item.id,
            "question": item.question,
            "kind": item.kind,
            "rank": ranks.get(item.id) if item.answerable else None,
        }
        rec = by_id.get(item.id)
        if rec is not None:
            row.update(_answer_fields(item, rec, (judgments or {}).get(item.id), threshold))
            row["judged"] = judgments is not None
        row["flags"] = flags(row)
        rows.append(row)
    return rows


def _answer_fields(
    item: EvalItem, rec: AnswerRecord, j: Judgment | None, threshold: float
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "refused": rec.refused if rec.error is None else None,
        "refusal_reason": rec.refusal_reason if rec.refused else None,
        "error": rec.error,
        "answer": rec.answer,
        "first_token_ms": rec.first_token_ms,
        "total_ms": rec.total_ms,
        "points_hit": None,
        "points_missed": None,
        "claims": None,
        "unsupported": None,
        "editor_notes": editor_notes(rec.answer) if rec.error is None else [],
        # whether the first sentence states a point (lexical proxy; None: refused, no points)
        "opens_on_a_point": opens_on_a_point(item, rec) if rec.error is None else None,
        **_pipeline_extras(rec),
    }
    points = list(item.answer_points) if item.answerable else []
    if rec.error is None and rec.refused and points:
        out["points_hit"], out["points_missed"] = [], points
    elif answered(rec) and j is not None:
        hit = {t for t, p in j.points if p >= threshold}
        out["points_hit"] = [t for t in points if t in hit]
        out["points_missed"] = [t for t in points if t not in hit]
        out["points_by"] = "judge"
    elif answered(rec) and points:  # no judge: the lexical indicator, said so in the row
        out["points_hit"], out["points_missed"] = lexical_points(points, rec.answer)
        out["points_by"] = "lexical"
    if answered(rec) and j is not None:
        out["claims"] = len(j.claims)
        out["unsupported"] = [
            {"text": c.text, "cites": list(c.cites), "p": round(p, 4)}
            for c, p in j.claims
            if p < threshold
        ]
    return out


def write_rows(path: Path, rows: Sequence[Mapping[str, Any]]) -> None:
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_rows(path: Path) -> list[dict[str, Any]]:
    rows = []
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except ValueError as exc:
                raise ValueError(f"{path}:{no}: not JSON ({exc})") from exc
    return rows


def cell(text: Any, width: int = 0) -> str:
    """A markdown table cell: pipes escaped, line breaks flattened, cut to `width` chars."""
    s = " ".join(str(text).split()).replace("|", "\\|")
    return s[: width - 1] + "…" if width and len(s) > width else s


def _refusal(row: Mapping[str, Any]) -> str:
    if row.get("error"):
        return "error"
    if row.get("refused") is None:
        return "-"
    if not row["refused"]:
        return "no"
    why = row.get("refusal_reason") or "?"
    missing = row.get("missing_terms")
    return f"yes ({why}{': ' + ', '.join(map(str, missing)) if missing else ''})"


def _points(row: Mapping[str, Any]) -> tuple[str, str]:
    hit, missed = row.get("points_hit"), row.get("points_missed")
    if hit is None or missed is None:
        return "-", ""
    n = len(hit) + len(missed)
    lex = " (lex)" if row.get("points_by") == "lexical" else ""
    return (f"{len(hit)}/{n}{lex}" if n else "-"), "; ".join(cell(m, 24) for m in missed)


def _support(row: Mapping[str, Any]) -> str:
    s = row.get("support")
    if isinstance(s, dict):  # the pipeline's breakdown: {verified, key_terms, retrieval, level}
        parts = [f"{k[0]}{s[k]:.2f}" for k in ("verified", "key_terms", "retrieval") if k in s]
        text = " ".join([str(s["level"])] * ("level" in s) + parts) or "-"
    else:
        text = f"{s:.2f}" if isinstance(s, int | float) else "-"
    removed = row.get("removed") or row.get("removed_sentences")
    return f"{text} ({len(removed)} removed)" if removed else text


def rows_table(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """The per-question markdown table (answer columns only when the run answered)."""
    with_answers = any("refused" in r for r in rows)
    head = ["id", "kind", "question", "rank"]
    if with_answers:
        head += ["refused (why)", "points", "missed points", "unsupported (judge)", "support"]
        head += ["first token ms", "total ms"]
    lines = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    for r in rows:
        rank = "-" if r["kind"] == "unanswerable" else str(r.get("rank") or "miss")
        vals = [r["id"], r["kind"], cell(r["question"], 40), rank]
        if with_answers:
            pts, missed = _points(r)
            unsup = r.get("unsupported")
            bad = "-" if unsup is None else "; ".join(cell(u["text"], 40) for u in unsup)
            vals += [_refusal(r), pts, missed, bad, _support(r)]
            vals += [_num(r.get("first_token_ms")), _num(r.get("total_ms"))]
        lines.append("| " + " | ".join(vals) + " |")
    return lines


def _num(x: Any) -> str:
    return "-" if x is None else f"{x:,.0f}"
