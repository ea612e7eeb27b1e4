"""Pure stages: citation checking, refusal detection, follow-up rewriting, the limiter."""

from __future__ import annotations

import asyncio

import pytest

from contract.ask import HistoryTurn
from core.errors import GeneratorBusy
from service.citations import StreamingCitationFilter, check_answer
from service.limiter import GenerationLimiter
from service.rewrite import rewrite


def test_unknown_citations_dropped_from_text_and_list() -> None:
    got = check_answer("A[1]。B[9]。C【2】D［3, 7］E[2][2]", n_passages=3)
    assert got.text == "A[1]。B。C[2]D[3]E[2][2]"
    assert got.cited == (1, 2, 3) and got.dropped == (9, 7) and not got.refused


@pytest.mark.parametrize(
    "text",
    [
        "资料中没有相关信息。",
        "根据提供的资料，没有相关信息。",
        "资料未提及红烧肉的做法。",
        "The notes do not cover this.",
        "The passages don't cover this topic.",
        "资料中没有相关信息。[1]",
    ],
)
def test_model_refusals_detected(text: str) -> None:
    got = check_answer(text, 3)
    assert got.refused and got.cited == ()


def test_partial_answer_with_citations_is_not_a_refusal() -> None:
    text = "LoRA 在权重旁加入低秩矩阵，只训练它们，因此参数量大幅下降[1]。资料中未提及它在推理时的额外延迟。"
    assert not check_answer(text, 2).refused


def test_streaming_filter_equals_batch_for_any_split() -> None:
    text = "第一点[1]，第二点[12]，第三点【2】，第四[1, 5]，数组a[0]，结尾[2]"
    want = check_answer(text, 3).text
    for size in range(1, 8):
        f = StreamingCitationFilter(3)
        out = "".join(f.feed(text[i : i + size]) for i in range(0, len(text), size)) + f.flush()
        assert out == want, size


@pytest.mark.parametrize(
    ("question", "history", "standalone"),
    [
        ("那它的缺点呢？", ["LoRA 是什么？"], "LoRA的缺点呢？"),
        ("缺点呢？", ["LoRA 是什么？"], "LoRA 缺点呢？"),
        ("What are its drawbacks?", ["What is LoRA?"], "What are LoRA's drawbacks?"),
        ("该方法如何训练？", ["请介绍一下 RLHF"], "RLHF方法如何训练？"),
        ("怎么解决？", ["LoRA 是什么？", "那它的缺点呢？"], "LoRA的缺点 怎么解决？"),
        # standalone questions pass through, even with 应该/因此/其他 in them
        ("应该如何选择学习率？", ["LoRA 是什么？"], None),
        ("因此其他的微调方法更好吗？", ["LoRA 是什么？"], None),
        ("prefix LM 和 causal LM 的区别是什么？", ["LoRA 是什么？"], None),
        ("那它的缺点呢？", [], None),
    ],
)
def test_follow_up_rewrite(question: str, history: list[str], standalone: str | None) -> None:
    turns = []
    for h in history:
        turns += [HistoryTurn(role="user", content=h), HistoryTurn(role="assistant", content="…")]
    got = rewrite(question, turns)
    assert got.standalone == (standalone or question)
    assert got.rewritten == (standalone is not None)


def test_limiter_admits_concurrency_plus_queue() -> None:
    async def scenario() -> None:
        limiter = GenerationLimiter(max_concurrency=1, max_queue=1)
        first, second = limiter.reserve(), limiter.reserve()
        with pytest.raises(GeneratorBusy):
            limiter.reserve()
        order: list[str] = []

        async def run(name: str, ticket) -> None:  # type: ignore[no-untyped-def]
            async with ticket:
                order.append(f"{name}+")
                await asyncio.sleep(0.01)
                order.append(f"{name}-")

        await asyncio.gather(run("a", first), run("b", second))
        assert order == ["a+", "a-", "b+", "b-"]  # never two at once
        assert limiter.admitted == 0
        # a queued ticket cancelled while waiting gives its place back
        running = limiter.reserve()
        await running.__aenter__()
        waiting = limiter.reserve()
        task = asyncio.create_task(waiting.__aenter__())
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        running.release()
        assert limiter.admitted == 0

    asyncio.run(scenario())


def test_limiter_queue_wait_has_a_deadline() -> None:
    async def scenario() -> None:
        limiter = GenerationLimiter(max_concurrency=1, max_queue=2, queue_timeout_s=0.05)
        running = limiter.reserve()
        await running.__aenter__()
        waiting = limiter.reserve()
        with pytest.raises(GeneratorBusy) as busy:
            async with waiting:
                pytest.fail("a queued ticket ran while the slot was held")
        assert busy.value.retry_after_s == limiter.retry_after_s
        assert "0.05 s" in str(busy.value)
        assert limiter.admitted == 1  # the timed-out place is given back, the runner keeps its own
        running.release()
        async with limiter.reserve():  # the slot is free again: no wait, no error
            assert limiter.admitted == 1
        assert limiter.admitted == 0

    asyncio.run(scenario())


def test_limiter_ensure_room_refuses_without_taking_a_place() -> None:
    limiter = GenerationLimiter(max_concurrency=1, max_queue=0)
    limiter.ensure_room()
    ticket = limiter.reserve()
    with pytest.raises(GeneratorBusy):
        limiter.ensure_room()
    assert limiter.admitted == 1
    ticket.release()
    limiter.ensure_room()
