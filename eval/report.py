"""DIR/report.md: the report.json figures as tables a person reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from eval.retrieval_metrics import KS
from eval.rows import rows_table


def _f(x: Any, pct: bool = False) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{100 * x:.1f}%" if pct else f"{x:.3f}"
    return str(x)


def _ms(x: Any) -> str:
    return "-" if x is None else f"{x:,.0f}"


def retrieval_table(block: dict[str, Any]) -> list[str]:
    cols = [f"hit@{k}" for k in KS] + ["mrr@10", "strict_multi@10"]
    lines = ["| kind | n | " + " | ".join(cols) + " |", "|---" * (len(cols) + 2) + "|"]
    rows = [("all", block), *block.get("by_kind", {}).items()]
    for name, b in rows:
        lines.append(f"| {name} | {b['n']} | " + " | ".join(_f(b.get(c)) for c in cols) + " |")
    return lines


ANSWER_COLS = (
    ("refusal_rate_unanswerable", "refused (unanswerable)"),
    ("false_refusal_rate", "false refusals"),
    ("hallucination_rate", "hallucination rate (claims)"),
    ("answers_with_hallucination", "answers with a hallucination"),
    ("answer_point_coverage", "answer-point coverage"),
    ("answer_point_coverage_lexical", "answer-point coverage (lexical)"),
    ("first_sentence_states_a_point_lexical", "opens on a point (lexical)"),
    ("citation_precision", "citation precision"),
    ("answers_with_editor_note", "answers with an editor's note"),
)


def answers_table(block: dict[str, Any]) -> list[str]:
    cols = [(k, t) for k, t in ANSWER_COLS if k in block]
    head = "| kind | n | errors | " + " | ".join(t for _, t in cols) + " |"
    lines = [head, "|---" * (len(cols) + 3) + "|"]
    for name, b in [("all", block), *block.get("by_kind", {}).items()]:
        vals = " | ".join(_f(b.get(k), pct=True) for k, _ in cols)
        lines.append(f"| {name} | {b['n']} | {b['errors']} | {vals} |")
    return lines


def latency_table(block: dict[str, Any]) -> list[str]:
    lines = ["| stage | n | p50 ms | p95 ms |", "|---|---|---|---|"]
    for stage, s in block["latency_ms"].items():
        lines.append(f"| {stage} | {s['n']} | {_ms(s['p50'])} | {_ms(s['p95'])} |")
    return lines


def render_markdown(report: dict[str, Any], rows: Sequence[Mapping[str, Any]] | None = None) -> str:
    out = ["# Evaluation report", ""]
    run = report.get("run", {})
    if run:
        out += [f"- command: `{run.get('command', '')}`", f"- questions: `{report['questions']}`"]
        out += [f"- wall time: {run.get('wall_s', 0):.0f} s"]
    ans = report.get("answers")
    if ans:
        gen, judge = ans["generator"], ans["judge"]
        out += [
            f"- generator: {gen['kind']} (`{gen['model']}`){' via ' + gen['url'] if gen.get('url') else ''}",
            f"- judge: {judge['kind']}"
            + (
                f" (`{judge['name']}`, threshold {judge['threshold']})" if judge.get("name") else ""
            ),
            f"- answered questions: {ans['n']}"
            + (
                f" (every {ans['stride']}th of {ans['n_file']}, --limit)"
                if ans.get("stride")
                else ""
            ),
            f"- answers cached from an earlier run: {run.get('answers_from_cache', 0)}",
            "",
            "## Answers",
            "",
            *answers_table(ans),
            "",
            "Refused, by reason: "
            + ", ".join(f"{k} {v}" for k, v in ans["refused_by_reason"].items())
            + ".",
            f"Questions whose notes' answer is a reviewed error: {ans['notes_wrong']}, "
            f"withheld with the editor's correction: {ans['notes_wrong_withheld_corrected']}; "
            f"false refusals without them: {_f(ans['false_refusal_rate_notes_right'], pct=True)}.",
        ]
        if "claims" in ans:
            out += [
                f"Claims judged: {ans['claims']} in {ans['answers_judged']} answers "
                f"({_f(ans['claims_per_answer'])} per answer); cited (claim, passage) pairs: "
                f"{ans['cited_pairs']}; coverage over answered items only: "
                f"{_f(ans['answer_point_coverage_answered'], pct=True)}.",
            ]
        out += ["", "### Latency", "", *latency_table(ans), ""]
        out += [
            "first_token counts only questions that reached the generator (a gate refusal "
            "generates nothing); retrieve and total count all.",
            "",
        ]
    if report.get("retrieval"):
        r = report["retrieval"]
        out += ["## Retrieval", "", f"mode {r['mode']}, all answerable questions of the file", ""]
        out += [*retrieval_table(r), ""]
    if rows:
        out += ["## Per question", "", PER_QUESTION_NOTE, "", *rows_table(rows), ""]
    return "\n".join(out)


PER_QUESTION_NOTE = (
    "rank: first retrieved chunk holding an evidence span (miss: none in the top k). "
    "points and unsupported sentences are the eval judge's verdicts (not the pipeline's own "
    "check); without a judge, points are matched lexically (marked lex, eval/points.py) and "
    "unsupported is `-`. support is the pipeline's own figure, when it gives one. "
    "Full rows in rows.jsonl; `python -m eval.run --compare A B` diffs two runs."
)
