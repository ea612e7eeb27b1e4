"""Per-question rows on hand-made records and judgments with known verdicts."""

from __future__ import annotations

from pathlib import Path

from eval.answer_metrics import Judgment
from eval.answers import AnswerRecord
from eval.claims import Claim
from eval.dataset import EvalItem
from eval.report import render_markdown
from eval.rows import build_rows, cell, flags, read_rows, rows_table, write_rows

ITEMS = [
    EvalItem(id="a1", question="LoRA 的原理？", kind="specific", evidence=("x",),
             answer_points=("冻结预训练权重", "只训练低秩矩阵")),
    EvalItem(id="a2", question="温度有什么用？", kind="paraphrase", evidence=("x",),
             answer_points=("温度越高越随机", "束搜索")),
    EvalItem(id="u1", question="FlashAttention 怎么实现？", kind="unanswerable"),
    EvalItem(id="u2", question="红烧肉怎么做？", kind="unanswerable"),
]  # fmt: skip
RANKS = {"a1": 1, "a2": None, "u1": None, "u2": None}
RECORDS = [
    AnswerRecord(id="a1", kind="specific", question="LoRA 的原理？",
                 answer="LoRA 冻结预训练权重。[1]LoRA 训练全部参数。[1]", total_ms=900.0,
                 first_token_ms=300.0),
    AnswerRecord(id="a2", kind="paraphrase", question="温度有什么用？",
                 answer="资料中没有相关信息。", refused=True, refusal_reason="no_evidence",
                 total_ms=20.0),
    AnswerRecord(id="u1", kind="unanswerable", question="FlashAttention 怎么实现？",
                 answer="滑动窗口。[1]", total_ms=800.0),
    AnswerRecord(id="u2", kind="unanswerable", question="红烧肉怎么做？",
                 error="GeneratorTimeout: 504"),
]  # fmt: skip
JUDGMENTS = {
    "a1": Judgment(
        claims=[
            (Claim("LoRA 冻结预训练权重。", (1,)), 0.9),
            (Claim("LoRA 训练全部参数。", (1,)), 0.2),
        ],
        points=[("冻结预训练权重", 0.95), ("只训练低秩矩阵", 0.3)],
    ),
    "u1": Judgment(claims=[(Claim("滑动窗口。", (1,)), 0.1)]),
}


def test_rows_join_rank_refusal_points_and_unsupported_sentences() -> None:
    rows = build_rows(ITEMS, RANKS, RECORDS, JUDGMENTS, threshold=0.5)
    by = {r["id"]: r for r in rows}
    a1 = by["a1"]
    assert a1["rank"] == 1 and a1["refused"] is False and a1["refusal_reason"] is None
    assert a1["points_hit"] == ["冻结预训练权重"] and a1["points_missed"] == ["只训练低秩矩阵"]
    assert a1["claims"] == 2
    assert a1["unsupported"] == [{"text": "LoRA 训练全部参数。", "cites": [1], "p": 0.2}]
    assert (a1["first_token_ms"], a1["total_ms"]) == (300.0, 900.0)
    assert a1["flags"] == ["points_missed", "unsupported"]
    # a refused answerable question misses every point, judged or not, and says why
    a2 = by["a2"]
    assert a2["refused"] is True and a2["refusal_reason"] == "no_evidence"
    assert a2["points_hit"] == [] and a2["points_missed"] == ["温度越高越随机", "束搜索"]
    assert a2["flags"] == ["not_retrieved", "false_refusal", "points_missed"]
    # unanswerable: no rank, answering it is the failure
    assert by["u1"]["rank"] is None and by["u1"]["flags"] == [
        "answered_unanswerable",
        "unsupported",
    ]
    assert by["u2"]["refused"] is None and by["u2"]["flags"] == ["error"]


def test_without_judge_points_are_not_judged_and_retrieval_only_rows_have_rank_only() -> None:
    rows = build_rows(ITEMS, RANKS, RECORDS, None)
    a1 = next(r for r in rows if r["id"] == "a1")
    assert a1["unsupported"] is None and a1["judged"] is False
    # no judge: points are matched lexically, and the row says so
    assert a1["points_by"] == "lexical"
    assert a1["points_hit"] == ["冻结预训练权重"] and a1["points_missed"] == ["只训练低秩矩阵"]
    assert "| 1/2 (lex) |" in "\n".join(rows_table(rows))
    only = build_rows(ITEMS, RANKS)
    assert set(only[0]) == {"id", "question", "kind", "rank", "flags"}
    assert only[1]["flags"] == ["not_retrieved"]


class NewerRecord(AnswerRecord):
    """What the rebuilt pipeline's records may carry on top of today's fields."""

    support: float | None = None
    removed_sentences: list[str] = []
    missing_terms: list[str] = []


def test_pipeline_fields_are_shown_when_present() -> None:
    rec = NewerRecord(id="u1", kind="unanswerable", question="q", answer="笔记里没有。",
                      refused=True, refusal_reason="missing_terms",
                      missing_terms=["FlashAttention"], support=0.0)  # fmt: skip
    row = build_rows(ITEMS[2:3], {}, [rec], None)[0]
    assert row["missing_terms"] == ["FlashAttention"] and row["support"] == 0.0
    assert "removed_sentences" not in row  # empty: left out
    table = "\n".join(rows_table([row]))
    assert "yes (missing_terms: FlashAttention)" in table and "| 0.00 |" in table
    rec2 = NewerRecord(id="a1", kind="specific", question="q", answer="A。", support=0.75,
                       removed_sentences=["B。", "C。"])  # fmt: skip
    row2 = build_rows(ITEMS[:1], {"a1": 2}, [rec2], None)[0]
    assert "0.75 (2 removed)" in "\n".join(rows_table([row2]))


def test_the_pipelines_support_breakdown_and_removed_sentences() -> None:
    """The fields eval/answers.py takes from today's `done` event."""
    rec = AnswerRecord(id="a1", kind="specific", question="q", answer="LoRA 冻结预训练权重。[1]")
    rec.support = {"verified": 1.0, "key_terms": 0.5, "retrieval": 0.91, "level": "medium"}
    rec.removed = ["LoRA 训练全部参数。"]
    row = build_rows(ITEMS[:1], {"a1": 1}, [rec], None)[0]
    assert row["support"]["level"] == "medium" and row["removed"] == ["LoRA 训练全部参数。"]
    line = rows_table([row])[2]
    assert "| medium v1.00 k0.50 r0.91 (1 removed) |" in line


def test_table_and_report_section(tmp_path: Path) -> None:
    rows = build_rows(ITEMS, RANKS, RECORDS, JUDGMENTS, threshold=0.5)
    lines = rows_table(rows)
    assert lines[0].startswith("| id | kind | question | rank | refused (why) | points")
    a1 = next(line for line in lines if line.startswith("| a1 "))
    assert "| 1 | no | 1/2 | 只训练低秩矩阵 | LoRA 训练全部参数。 |" in a1
    a2 = next(line for line in lines if line.startswith("| a2 "))
    assert "| miss | yes (no_evidence) | 0/2 |" in a2
    assert cell("a|b\nc", 0) == "a\\|b c" and cell("一二三四五", 3) == "一二…"
    md = render_markdown({"questions": "q.jsonl"}, rows)
    assert "## Per question" in md and a1 in md
    write_rows(tmp_path / "rows.jsonl", rows)
    assert read_rows(tmp_path / "rows.jsonl") == rows


def test_flags_on_a_clean_row() -> None:
    row = {"kind": "specific", "rank": 2, "refused": False, "points_missed": [], "unsupported": []}
    assert flags(row) == []
