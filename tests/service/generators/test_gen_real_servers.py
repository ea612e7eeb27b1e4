"""OpenAICompatGenerator against real servers: llama_cpp.server and the vLLM CPU server."""

from __future__ import annotations

import pytest

from core.settings import Settings
from service.generators import GenerationRequest, GeneratorConfig, Passage, build_generator
from service.generators.openai_compat import OpenAICompatGenerator

pytestmark = [pytest.mark.anyio, pytest.mark.llm]

PASSAGE = Passage(1, "LoRA 在预训练权重旁加入低秩矩阵 A 和 B，只训练它们，从而大幅减少可训练参数。")
SYSTEM = "你是面试笔记助手。只根据资料回答，用中文，一两句话，句末标注引用编号如[1]。"


def ask(max_tokens: int = 60) -> GenerationRequest:
    q = "LoRA 为什么能减少训练参数？"
    msgs = (
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": f"资料：\n[1] {PASSAGE.text}\n\n问题：{q}"},
    )
    return GenerationRequest(q, (PASSAGE,), msgs, max_tokens=max_tokens, temperature=0.0)


def client(kind: str, base_url: str) -> OpenAICompatGenerator:
    cfg = GeneratorConfig.from_settings(
        Settings(), kind=kind, base_url=base_url, model="qwen0.5b", timeout_s=120
    )
    gen = build_generator(kind, cfg)
    assert isinstance(gen, OpenAICompatGenerator)
    return gen


async def _exercise(gen: OpenAICompatGenerator) -> None:
    await gen.check()
    assert "低秩" in await gen.complete(ask())
    pieces = [d async for d in gen.stream(ask())]
    assert len(pieces) > 3 and "低秩" in "".join(pieces)
    # leave a long stream early; the server must still answer the next request
    stream = gen.stream(ask(max_tokens=300))
    await stream.__anext__()
    await stream.aclose()  # type: ignore[attr-defined]
    assert await gen.complete(ask(max_tokens=8))


async def test_llama_cpp_server(llama_server: str) -> None:
    gen = client("openai", llama_server)
    await _exercise(gen)
    # the judge's call, against the server's logprobs (it loads with logits_all). Up to 20:
    # llama-cpp-python keys candidates by their text, so byte-fragment tokens can merge.
    text = f"资料：{PASSAGE.text}\n断言：LoRA 减少了可训练参数。\n资料是否支持该断言？只回答“是”或“否”。"
    top = await gen.first_token_logprobs([{"role": "user", "content": text}], 20)
    assert 1 <= len(top) <= 20 and all(lp <= 0.0 for _, lp in top)
    assert {"是", "否"} & {tok.strip() for tok, _ in top[:3]}, top[:3]
    await gen.aclose()


@pytest.mark.vllm
async def test_vllm_server(vllm_server: str) -> None:
    gen = client("vllm", vllm_server)
    await _exercise(gen)
    text = f"资料：{PASSAGE.text}\n断言：LoRA 减少了可训练参数。\n资料是否支持该断言？只回答“是”或“否”。"
    top = await gen.first_token_logprobs([{"role": "user", "content": text}], 20)
    assert 1 <= len(top) <= 20 and all(lp <= 0.0 for _, lp in top)
    assert {"是", "否"} & {tok.strip() for tok, _ in top[:3]}, top[:3]
    await gen.aclose()
