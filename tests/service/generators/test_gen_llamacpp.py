"""LlamaCppGenerator on the real Qwen2.5-Coder-0.5B GGUF (built from PyPI parts if missing)."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.errors import GeneratorBusy, GeneratorUnavailable
from core.settings import Settings
from service.generators import GenerationRequest, Generator, GeneratorConfig, Passage
from service.generators.llamacpp import LlamaCppGenerator

pytestmark = [pytest.mark.anyio, pytest.mark.llm]

SYSTEM = "你是面试笔记助手。只根据资料回答，用中文，一两句话，句末标注引用编号如[1]。"
PASSAGE = Passage(1, "LoRA 在预训练权重旁加入低秩矩阵 A 和 B，只训练它们，从而大幅减少可训练参数。")
QUESTION = "LoRA 为什么能减少训练参数？"


def ask(question: str = QUESTION, max_tokens: int = 60) -> GenerationRequest:
    user = f"资料：\n[1] {PASSAGE.text}\n\n问题：{question}"
    msgs = ({"role": "system", "content": SYSTEM}, {"role": "user", "content": user})
    return GenerationRequest(question, (PASSAGE,), msgs, max_tokens=max_tokens, temperature=0.0)


@pytest.fixture(scope="module")
def gen(gguf_05b: Path) -> Iterator[LlamaCppGenerator]:
    g = LlamaCppGenerator(
        GeneratorConfig.from_settings(
            Settings(), gguf_path=str(gguf_05b), context_window=2048, max_queue=0
        )
    )
    yield g
    asyncio.run(g.aclose())


async def test_answers_a_chinese_question_from_the_passage(gen: LlamaCppGenerator) -> None:
    assert isinstance(gen, Generator) and gen.name == "llamacpp" and gen.model == "qwen0.5b"
    await gen.check()
    answer = await gen.complete(ask())
    assert "低秩" in answer, answer


async def test_stream_matches_complete_and_stops_when_the_consumer_leaves(
    gen: LlamaCppGenerator,
) -> None:
    pieces = [d async for d in gen.stream(ask())]
    assert "低秩" in "".join(pieces) and len(pieces) > 3
    long = ask("请详细地、逐条地解释 LoRA 的原理、优点和缺点，至少写十条。", max_tokens=400)
    stream = gen.stream(long)
    await stream.__anext__()
    await stream.__anext__()
    t0 = time.monotonic()
    await stream.aclose()  # type: ignore[attr-defined]
    while gen.inflight and time.monotonic() - t0 < 5:
        await asyncio.sleep(0.02)
    assert gen.inflight == 0, "generation went on after the consumer left"


async def test_over_the_limit_is_busy_at_once(gen: LlamaCppGenerator) -> None:
    first = gen.stream(ask(max_tokens=200))
    await first.__anext__()  # running; max_queue=0 leaves no room
    t0 = time.monotonic()
    with pytest.raises(GeneratorBusy) as info:
        await gen.stream(ask()).__anext__()
    assert time.monotonic() - t0 < 0.5 and info.value.retry_after_s > 0
    with pytest.raises(GeneratorBusy):
        await gen.first_token_logprobs([{"role": "user", "content": "是吗？"}], 20)
    await first.aclose()  # type: ignore[attr-defined]


async def test_count_tokens_uses_the_real_tokenizer(gen: LlamaCppGenerator) -> None:
    assert 1 <= gen.count_tokens("注意力机制") <= 5
    assert gen.count_tokens("hello world") == 2


async def test_first_token_logprobs_through_the_public_api(gguf_05b: Path) -> None:
    """The judge's call: top first tokens of a 是/否 question, from a logprobs-enabled load."""

    def judge(claim: str) -> list[dict[str, str]]:
        text = f"资料：{PASSAGE.text}\n断言：{claim}\n资料是否支持该断言？只回答“是”或“否”。"
        return [{"role": "user", "content": text}]

    g = LlamaCppGenerator(
        GeneratorConfig.from_settings(
            Settings(), gguf_path=str(gguf_05b), context_window=2048, max_queue=0
        ),
        logprobs=True,
    )
    try:
        top = await g.first_token_logprobs(judge("LoRA 减少了可训练参数。"), 20)
        # Up to 20: llama-cpp-python keys candidates by their text (byte fragments can merge).
        assert 1 <= len(top) <= 20 and all(lp <= 0.0 for _, lp in top)
        assert [lp for _, lp in top] == sorted((lp for _, lp in top), reverse=True)
        assert sum(math.exp(lp) for _, lp in top) <= 1.0 + 1e-4
        assert {tok.strip() for tok, _ in top[:2]} & {"是", "否"}, top[:3]
        # the same question again (its prefix is in the KV cache) gives the same answer
        again = await g.first_token_logprobs(judge("LoRA 减少了可训练参数。"), 20)
        assert again[0][0] == top[0][0] and again[0][1] == pytest.approx(top[0][1], abs=1e-3)
    finally:
        await g.aclose()


async def test_first_token_logprobs_needs_a_logprobs_load(gen: LlamaCppGenerator) -> None:
    with pytest.raises(GeneratorUnavailable, match="logprobs"):
        await gen.first_token_logprobs([{"role": "user", "content": "是吗？"}], 20)


async def test_missing_model_is_unavailable(tmp_path: Path) -> None:
    g = LlamaCppGenerator(
        GeneratorConfig.from_settings(Settings(), gguf_path=str(tmp_path / "none.gguf"))
    )
    with pytest.raises(GeneratorUnavailable, match="missing"):
        await g.check()
    with pytest.raises(GeneratorUnavailable):
        await g.complete(ask())
    await g.aclose()
