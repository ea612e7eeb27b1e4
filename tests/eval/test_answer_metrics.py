"""Answer metrics on hand-made cases with known right answers: a scripted generator runs
through the real AskPipeline (in-process, streaming), a fake judge decides by substring."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.settings import Settings
from core.types import Chunk, Hit
from eval.answer_metrics import judge_answers, percentiles, refusal_tradeoff, score_answers
from eval.answers import AnswerCache, AnswerRecord, InProcessAnswerer, answer_all
from eval.dataset import EvalItem
from eval.judge import CachedJudge
from service.generators.base import GenerationRequest, estimate_tokens

P_LORA = "LoRA 冻结预训练权重。LoRA 只训练低秩矩阵。"
P_BEAM = "束搜索保留多个候选。"
P_TEMP = "温度越高越随机。"
P_ATTN = "注意力机制计算查询和键的相似度。"

# question id -> (question, heading, passages retrieved, top dense cosine, scripted reply).
# The pipeline checks every sentence before the judge sees it, so the cases are built around
# that check: what it removes never reaches the judge; what it can't see (a swapped word
# that keeps most bigrams) is what the judge, a different instrument, must catch.
SCRIPT: dict[str, tuple[str, str, list[str], float, str]] = {
    # 2 claims pass the check; the judge finds the second unsupported ("冻结" swapped in)
    "a1": ("LoRA 训练哪些参数？", "LoRA 训练哪些参数？", [P_LORA], 0.95,
           "LoRA 冻结预训练权重。[1]LoRA 冻结低秩矩阵。[1]"),
    # the second sentence cites a passage that doesn't say it: the check removes it
    "a2": ("温度和束搜索分别有什么作用？", "解码", [P_BEAM, P_TEMP], 0.95,
           "温度越高越随机。[2]束搜索保留多个候选。[2]"),
    # the model refuses: a false refusal
    "a3": ("注意力机制计算什么？", "注意力", [P_ATTN], 0.95, "资料中没有相关信息。"),
    # the gate refuses (cosine under the Chinese floor, 0.88)
    "u1": ("红烧肉怎么做？", "菜谱", [P_ATTN], 0.50, "never asked"),
    # answered with a near-copy that changes a fact ("键" → "值"): passes the check, the
    # judge finds it unsupported
    "u2": ("注意力机制的计算复杂度如何？", "注意力", [P_ATTN], 0.95,
           "注意力机制计算查询和值的相似度。[1]"),
}  # fmt: skip
BY_QUESTION = {v[0]: v for v in SCRIPT.values()}
ITEMS = [
    EvalItem(id="a1", question=SCRIPT["a1"][0], kind="specific", evidence=("x",),
             answer_points=("LoRA 冻结预训练权重", "LoRA 只训练低秩矩阵")),
    EvalItem(id="a2", question=SCRIPT["a2"][0], kind="paraphrase", evidence=("x",),
             answer_points=("温度越高越随机",)),
    EvalItem(id="a3", question=SCRIPT["a3"][0], kind="paraphrase", evidence=("x",),
             answer_points=("注意力",)),
    EvalItem(id="u1", question=SCRIPT["u1"][0], kind="unanswerable"),
    EvalItem(id="u2", question=SCRIPT["u2"][0], kind="unanswerable"),
]  # fmt: skip


class ScriptedRetriever:
    version = "v-test"

    def search(self, question: str, k: int) -> list[Hit]:
        _, heading, passages, cos, _ = BY_QUESTION[question]
        return [
            Hit(Chunk(f"{question}#{i}", "a.md", (heading,), text, 0, 1), 1.0 - i / 10, cos, 5.0)
            for i, text in enumerate(passages)
        ]


class ScriptedGenerator:
    name = "scripted"
    model = "scripted"
    context_window = 4096

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def complete(self, req: GenerationRequest) -> str:
        return BY_QUESTION[req.question][4]

    async def stream(self, req: GenerationRequest) -> AsyncIterator[str]:
        self.asked.append(req.question)
        reply = BY_QUESTION[req.question][4]
        for i in range(0, len(reply), 3):
            await asyncio.sleep(0.001)
            yield reply[i : i + 3]

    async def check(self) -> None:
        return None

    def count_tokens(self, text: str) -> int:
        return estimate_tokens(text)

    async def aclose(self) -> None:
        return None


class SubstringJudge:
    """Supported iff the claim, without its final stop, occurs in a passage."""

    name = "substring"
    threshold = 0.5

    def __init__(self) -> None:
        self.calls = 0

    async def supported(self, passages: list[str], claim: str) -> float:
        self.calls += 1
        return 0.9 if any(claim.rstrip("。") in p for p in passages) else 0.1


async def _answer(tmp_path: Path, gen: ScriptedGenerator) -> list[AnswerRecord]:
    index = tmp_path / "index"  # the holder loads only once `current` points at a version
    (index / "versions" / "v-test").mkdir(parents=True, exist_ok=True)
    if not (index / "current").is_symlink():
        (index / "current").symlink_to(index / "versions" / "v-test")
    settings = Settings(index_dir=index)
    answerer = InProcessAnswerer(settings, gen, lambda s: ScriptedRetriever())
    cache = AnswerCache(tmp_path / "cache" / "answers.jsonl", "k1")
    async with answerer:
        return await answer_all(ITEMS, answerer, cache, progress=False)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[AnswerRecord], Path]:
    tmp = tmp_path_factory.mktemp("answers")
    return asyncio.run(_answer(tmp, ScriptedGenerator())), tmp


def test_records_follow_the_pipeline(run: tuple[list[AnswerRecord], Path]) -> None:
    by_id = {r.id: r for r in run[0]}
    assert [r.id for r in run[0]] == [i.id for i in ITEMS]
    assert by_id["a1"].passages == [P_LORA] and by_id["a1"].citations == [1]
    assert by_id["a2"].citations == [2]
    assert (by_id["a3"].refused, by_id["a3"].refusal_reason) == (True, "model")
    u1 = by_id["u1"]
    assert (u1.refused, u1.refusal_reason, u1.passages, u1.first_token_ms) == (
        True, "no_evidence", [], None,
    )  # fmt: skip
    assert not by_id["u2"].refused and by_id["u2"].citations == [1]
    # the check removed a2's wrongly cited sentence before any judge saw it
    assert by_id["a2"].removed == ["束搜索保留多个候选。"] and by_id["a1"].removed == []
    for r in run[0]:
        assert r.error is None and r.retrieve_ms is not None and r.total_ms is not None
        assert r.total_ms >= r.retrieve_ms
        if r.id != "u1":
            assert r.first_token_ms is not None and r.first_token_ms <= r.total_ms


def test_exact_rates(run: tuple[list[AnswerRecord], Path]) -> None:
    records = run[0]
    judgments = asyncio.run(judge_answers(SubstringJudge(), ITEMS, records, progress=False))
    report = score_answers(ITEMS, records, judgments, threshold=0.5)
    assert report["n"] == 5 and report["errors"] == 0
    assert report["refusal_rate_unanswerable"] == 0.5  # u1 of u1, u2
    assert report["false_refusal_rate"] == 0.3333  # a3 of a1-a3
    assert report["refused_by_reason"] == {
        "no_evidence": 1, "missing_terms": 0, "missing_kind": 0, "notes_wrong": 0, "model": 1
    }  # fmt: skip
    # no item says its notes are wrong: the two false-refusal figures agree
    assert report["false_refusal_rate_notes_right"] == 0.3333 and report["notes_wrong"] == 0
    assert report["claims"] == 4 and report["answers_judged"] == 3  # a1 2, a2 1, u2 1
    assert report["hallucination_rate"] == 0.5  # a1's second claim, u2's claim
    assert report["answers_with_hallucination"] == 0.6667  # a1, u2 of a1, a2, u2
    assert report["citation_precision"] == 0.5  # a1 1/2, a2 1/1, u2 0/1
    assert report["cited_pairs"] == 4
    assert report["answer_point_coverage"] == 0.5  # a1 1/2, a2 1, a3 refused 0
    assert report["answer_point_coverage_answered"] == 0.75
    by_kind = report["by_kind"]
    assert list(by_kind) == ["paraphrase", "specific", "unanswerable"]
    assert by_kind["paraphrase"]["false_refusal_rate"] == 0.5
    assert by_kind["paraphrase"]["refusal_rate_unanswerable"] is None
    assert by_kind["paraphrase"]["hallucination_rate"] == 0.0
    assert by_kind["paraphrase"]["citation_precision"] == 1.0
    assert by_kind["specific"]["hallucination_rate"] == 0.5
    assert by_kind["unanswerable"]["answers_with_hallucination"] == 1.0
    assert by_kind["unanswerable"]["answer_point_coverage"] is None
    assert report["latency_ms"]["first_token"]["n"] == 4  # u1 generated nothing
    assert report["latency_ms"]["total"]["n"] == 5


def test_without_a_judge_the_judged_figures_are_left_out(
    run: tuple[list[AnswerRecord], Path],
) -> None:
    report = score_answers(ITEMS, run[0])
    assert report["false_refusal_rate"] == 0.3333
    for key in ("hallucination_rate", "citation_precision", "answer_point_coverage", "claims"):
        assert key not in report and key not in report["by_kind"]["specific"]


def test_a_rerun_resumes_from_the_cache(run: tuple[list[AnswerRecord], Path]) -> None:
    records, tmp = run
    gen = ScriptedGenerator()
    again = asyncio.run(_answer(tmp, gen))
    assert gen.asked == []  # every answer came from DIR/cache
    assert [r.model_dump() for r in again] == [r.model_dump() for r in records]
    other = AnswerCache(tmp / "cache" / "answers.jsonl", "other-settings")
    assert other.done == {}


def test_cached_judge_asks_once(tmp_path: Path, run: tuple[list[AnswerRecord], Path]) -> None:
    inner = SubstringJudge()
    path = tmp_path / "judgments.jsonl"
    first = asyncio.run(judge_answers(CachedJudge(inner, path), ITEMS, run[0], progress=False))
    calls = inner.calls
    # 4 claims + 4 cited (claim, passage) pairs + 3 answer points, less the 4 cited pairs:
    # each answer cites one passage, the one its claims were judged against, already asked.
    assert calls == 4 + 4 + 3 - 4
    second = asyncio.run(judge_answers(CachedJudge(inner, path), ITEMS, run[0], progress=False))
    assert inner.calls == calls
    assert score_answers(ITEMS, run[0], first) == score_answers(ITEMS, run[0], second)


def test_refusal_tradeoff_at_zero_shift_is_the_gate_of_the_run(
    run: tuple[list[AnswerRecord], Path],
) -> None:
    # The questions are Chinese: the CJK floor, 0.88, applies.
    curve = refusal_tradeoff(ITEMS, run[0], 0.88, 0.80, shifts=(-0.5, 0.0, 0.2))
    assert curve == [
        {"shift": -0.5, "false_refusal_rate": 0.3333, "refusal_rate_unanswerable": 0.0},
        {"shift": 0.0, "false_refusal_rate": 0.3333, "refusal_rate_unanswerable": 0.5},
        {"shift": 0.2, "false_refusal_rate": 1.0, "refusal_rate_unanswerable": 1.0},
    ]


def test_percentiles() -> None:
    assert percentiles([None, None]) == {"n": 0, "p50": None, "p95": None}
    assert percentiles([10.0, 20.0, 30.0, None, 40.0]) == {"n": 4, "p50": 25.0, "p95": 38.5}


def test_claims_are_judged_against_the_passages_the_answer_cites() -> None:
    from eval.answer_metrics import judge_one

    item = EvalItem(
        id="c1", question="LoRA 训练什么？", kind="specific", answer_points=("低秩矩阵",)
    )
    # the claim is in passage 1, but the answer cites only passage 2: not supported
    rec = AnswerRecord(
        id="c1", kind="specific", question=item.question, answer="LoRA 只训练低秩矩阵[2]。",
        passages=[P_LORA, P_BEAM], citations=[2],
    )  # fmt: skip
    judge = SubstringJudge()
    j = asyncio.run(judge_one(judge, item, rec))
    assert [p for _, p in j.claims] == [0.1] and [p for _, _, p in j.cited] == [0.1]
    # uncited, it is judged against every passage given
    j = asyncio.run(
        judge_one(judge, item, rec.model_copy(update={"answer": "LoRA 只训练低秩矩阵。"}))
    )
    assert [p for _, p in j.claims] == [0.9] and j.cited == []


def test_a_question_whose_notes_are_wrong_is_counted_apart() -> None:
    """Withholding the notes' wrong answer, with the editor's correction, is the right response
    there: it is reported on its own, and the other false-refusal figure leaves it out."""
    right = EvalItem(id="r", question="q1", kind="specific", answer_points=("p",))
    wrong = EvalItem(id="w", question="q2", kind="specific", answer_points=("p",),
                     notes_wrong="the notes' figure is another model's")  # fmt: skip
    bare = EvalItem(id="b", question="q3", kind="specific", answer_points=("p",), notes_wrong="x")
    recs = [
        AnswerRecord(id="r", kind="specific", question="q1", answer="p[1]。", citations=[1]),
        AnswerRecord(id="w", kind="specific", question="q2", refused=True,
                     refusal_reason="notes_wrong",
                     answer="笔记对这个问题的回答有误，没有采用。\n编者注：数字不是这个模型的。"),
        # refused without saying what is wrong: withheld, but not corrected
        AnswerRecord(id="b", kind="specific", question="q3", refused=True,
                     refusal_reason="no_evidence", answer="资料中没有相关信息。"),
    ]  # fmt: skip
    report = score_answers([right, wrong, bare], recs)
    assert report["false_refusal_rate"] == 0.6667  # the figure: every answerable item
    assert report["false_refusal_rate_notes_right"] == 0.0
    assert (report["notes_wrong"], report["notes_wrong_withheld_corrected"]) == (2, 1)
    assert report["refused_by_reason"]["notes_wrong"] == 1


def test_an_answer_opens_on_a_point_when_its_first_statement_states_one() -> None:
    from eval.answer_metrics import opens_on_a_point

    item = EvalItem(id="t", question="温度有什么作用？", kind="specific", evidence=("x",),
                    answer_points=("温度越高越随机",))  # fmt: skip

    def rec(answer: str, refused: bool = False) -> AnswerRecord:
        return AnswerRecord(id="t", kind="specific", question=item.question, answer=answer,
                            refused=refused)  # fmt: skip

    # the closest-section line and a lead-in are no statement; the first one after them is
    closest = "笔记里没有找到明确对应这个问题的一节，以下取自最接近的「解码」：\n参数如下：\n"
    assert opens_on_a_point(item, rec(closest + "- 温度越高越随机[1]。\n- 束搜索保留多个候选[1]。"))
    assert not opens_on_a_point(item, rec("束搜索保留多个候选[1]。温度越高越随机[1]。"))
    assert opens_on_a_point(item, rec("笔记里没有关于 温度 的内容。", refused=True)) is None
    report = score_answers([item], [rec("束搜索保留多个候选[1]。温度越高越随机[1]。")])
    assert report["first_sentence_states_a_point_lexical"] == 0.0
