"""Retrieval scoring on hand-made ranked lists with known answers."""

from __future__ import annotations

from typing import Any

import pytest

from core.types import Chunk
from eval.dataset import EvalItem
from eval.retrieval_metrics import (
    chunk_hits,
    first_hit_rank,
    score_retrieval,
    squash,
    strict_multi,
)


def _chunk(text: str, doc: str = "a.md", path: tuple[str, ...] = ("T", "问题？")) -> Chunk:
    return Chunk(
        chunk_id=f"{doc}:{text[:8]}", doc_id=doc, heading_path=path, text=text, start=0, end=1
    )


def _item(
    id: str, kind: str, evidence: tuple[str, ...] = (), sources: tuple[str, ...] = ()
) -> EvalItem:
    return EvalItem(id=id, question=f"{id}?", kind=kind, evidence=evidence, sources=sources)  # type: ignore[arg-type]


def _filler(n: int, doc: str = "z.md") -> list[Chunk]:
    return [_chunk(f"无关内容 {k}", doc) for k in range(n)]


# --- the hit rule ------------------------------------------------------------------------------


def test_squash_removes_every_kind_of_whitespace() -> None:
    assert squash(" a b\tc\nd\u3000e ") == "abcde"


@pytest.mark.parametrize(
    ("evidence", "text", "hit"),
    [
        ("较高的温度值", "较高的温度值会增加随机性", True),
        # whitespace is stripped on both sides: line breaks/spaces from the PDF don't matter
        ("较高的 温度值", "较高的温度\n值会增加随机性", True),
        ("Beam 大小", "调整Beam\t大小 和搜索宽度", True),
        ("较低的温度值", "较高的温度值会增加随机性", False),
        # the heading path is part of what is indexed, so evidence may sit in it
        ("问题？", "正文", True),
        ("   ", "任何正文", False),  # blank evidence never counts
    ],
)
def test_hit_rule(evidence: str, text: str, hit: bool) -> None:
    assert chunk_hits(_chunk(text), _item("q", "specific", (evidence,))) is hit


def test_any_evidence_string_is_enough() -> None:
    item = _item("q", "specific", ("不在这里", "答案 B"))
    assert chunk_hits(_chunk("答案B在这里"), item)
    assert not chunk_hits(_chunk("答案A在这里"), item)
    assert not chunk_hits(_chunk("答案B在这里"), _item("q", "specific"))  # no evidence, no hit


def test_first_hit_rank_is_one_based() -> None:
    item = _item("q", "specific", ("目标",))
    ranked = [*_filler(2), _chunk("目标一"), _chunk("目标二")]
    assert first_hit_rank(ranked, item) == 3
    assert first_hit_rank(_filler(5), item) is None
    assert first_hit_rank([], item) is None


def test_strict_multi_needs_a_hitting_chunk_from_every_source_within_k() -> None:
    item = _item("m", "multi", ("目标",), ("a.md", "b.md"))
    b_no_hit = _chunk("无关", "b.md")
    assert strict_multi([_chunk("目标", "a.md"), b_no_hit, _chunk("目标", "b.md")], item, 3)
    assert not strict_multi([_chunk("目标", "a.md"), b_no_hit, _chunk("目标", "b.md")], item, 2)
    assert not strict_multi([_chunk("目标", "a.md"), _chunk("目标", "a.md")], item, 10)


# --- hit@k, MRR@10, strict_multi, by_kind on a scripted run ---------------------------------------

EV = ("目标 答案",)
ITEMS = [
    _item("s1", "specific", EV, ("a.md",)),
    _item("p1", "paraphrase", EV, ("a.md",)),
    _item("m1", "multi", EV, ("a.md", "b.md")),
    _item("m2", "multi", EV, ("a.md", "b.md")),
    _item("p2", "paraphrase", EV, ("a.md",)),
    _item("u1", "unanswerable"),
]


def _at(
    rank: int, n: int = 12, doc: str = "a.md", extra: dict[int, Chunk] | None = None
) -> list[Chunk]:
    """A ranked list of n chunks whose only hit sits at `rank` (1-based); `extra` adds more."""
    ranked = _filler(n)
    ranked[rank - 1] = _chunk("这里是目标答案。", doc)
    for r, c in (extra or {}).items():
        ranked[r - 1] = c
    return ranked


# First-hit ranks: s1 1, p1 3, m1 2 (b.md also at 7), m2 5 (b.md only at 11), p2 11 (past MRR@10),
# u1: a "hit" at rank 1 that must not count, since unanswerable items are not scored.
SCRIPTED: dict[str, list[Chunk]] = {
    "s1": _at(1),
    "p1": _at(3),
    "m1": _at(2, extra={4: _chunk("无关", "b.md"), 7: _chunk("目标答案", "b.md")}),
    "m2": _at(5, extra={11: _chunk("目标答案", "b.md")}),
    "p2": _at(11),
    "u1": [_chunk("目标答案")],
}


def test_overall_scores() -> None:
    report = score_retrieval([(i, SCRIPTED[i.id]) for i in ITEMS])
    block = {k: v for k, v in report.items() if k != "by_kind"}
    assert block == {
        "n": 5,  # u1 excluded
        "hit@1": 0.2,  # s1
        "hit@3": 0.6,  # s1 p1 m1
        "hit@5": 0.8,  # + m2
        "hit@10": 0.8,  # p2 is at 11
        "mrr@10": round((1 + 1 / 3 + 1 / 2 + 1 / 5) / 5, 4),  # 0.4067
        "strict_multi@10": 0.5,  # m1 yes; m2's b.md hit is at 11
    }
    assert block["mrr@10"] == 0.4067


def test_by_kind_scores() -> None:
    by_kind: Any = score_retrieval([(i, SCRIPTED[i.id]) for i in ITEMS])["by_kind"]
    assert list(by_kind) == ["multi", "paraphrase", "specific"]  # sorted; no unanswerable
    assert by_kind["specific"] == {
        "n": 1,
        "hit@1": 1.0,
        "hit@3": 1.0,
        "hit@5": 1.0,
        "hit@10": 1.0,
        "mrr@10": 1.0,
        "strict_multi@10": None,  # only multi items have it
    }
    assert by_kind["paraphrase"] == {
        "n": 2,
        "hit@1": 0.0,
        "hit@3": 0.5,
        "hit@5": 0.5,
        "hit@10": 0.5,
        "mrr@10": 0.1667,
        "strict_multi@10": None,
    }
    assert by_kind["multi"] == {
        "n": 2,
        "hit@1": 0.0,
        "hit@3": 0.5,
        "hit@5": 1.0,
        "hit@10": 1.0,
        "mrr@10": 0.35,
        "strict_multi@10": 0.5,
    }


def test_only_unanswerable_items_give_empty_blocks() -> None:
    report = score_retrieval([(ITEMS[-1], SCRIPTED["u1"])])
    assert report["n"] == 0 and report["by_kind"] == {}
    assert all(report[k] is None for k in ("hit@1", "hit@10", "mrr@10", "strict_multi@10"))


# --- eval.run with a scripted retriever -----------------------------------------------------------
