"""ExtractiveGenerator and the factory: pure and fast."""

from __future__ import annotations

import re

import pytest

from core.errors import BadInput
from core.settings import Settings
from service.generators import (
    REFUSAL_EN,
    REFUSAL_ZH,
    ExtractiveGenerator,
    GenerationRequest,
    Generator,
    GeneratorConfig,
    Passage,
    build_generator,
)
from service.generators.extractive import features, split_sentences

pytestmark = pytest.mark.anyio

LORA = Passage(
    1,
    "LoRA 是一种参数高效微调方法。它在预训练权重旁加入低秩矩阵 A 和 B，只训练这两个矩阵。"
    "因此可训练参数大幅减少，显存占用也更低。训练完成后可以把低秩矩阵合并回原权重。",
    ("微调", "LoRA"),
)
ATTN = Passage(
    2,
    "多头注意力把查询、键和值投影到多个子空间。\n- 每个头独立计算缩放点积注意力；\n"
    "最后把各头的输出拼接后再做一次线性变换。",
    ("Transformer", "注意力"),
)
CAUSAL = Passage(
    3,
    "Prefix LM and causal LM differ in their attention masks. A causal LM only attends to "
    "earlier tokens. A prefix LM attends bidirectionally over the prefix.",
    ("LM types",),
)


def req(question: str, *passages: Passage) -> GenerationRequest:
    return GenerationRequest(question, passages, ({"role": "user", "content": question},))


def cited(answer: str) -> list[int]:
    return [int(n) for n in re.findall(r"\[(\d+)\]", answer)]


async def test_answers_from_the_matching_passage_with_citations() -> None:
    answer = await ExtractiveGenerator().complete(req("LoRA 为什么能减少可训练参数？", ATTN, LORA))
    assert "低秩矩阵" in answer and "可训练参数大幅减少" in answer
    assert set(cited(answer)) == {1}
    # every sentence carries its citation right after it
    assert re.fullmatch(r"([^\[\]]+\[\d+\])+", answer)
    assert 2 <= len(cited(answer)) <= 4


async def test_sentences_keep_passage_order() -> None:
    answer = await ExtractiveGenerator().complete(
        req("多头注意力如何计算查询、键和值？LoRA 低秩矩阵是什么？", LORA, ATTN)
    )
    nums = cited(answer)
    assert nums == sorted(nums) and set(nums) == {1, 2}


async def test_refuses_without_overlap() -> None:
    gen = ExtractiveGenerator()
    assert await gen.complete(req("量子计算机如何纠错？", LORA, ATTN)) == REFUSAL_ZH
    assert await gen.complete(req("What is the capital of France?", LORA, CAUSAL)) == REFUSAL_EN
    assert await gen.complete(req("是什么？", LORA)) == REFUSAL_ZH  # only question words
    assert await gen.complete(req("LoRA 是什么？")) == REFUSAL_ZH  # no passages at all


async def test_english_question_on_english_notes() -> None:
    answer = await ExtractiveGenerator().complete(
        req("What does a causal LM attend to?", LORA, CAUSAL)
    )
    assert "earlier tokens" in answer and set(cited(answer)) == {3}


async def test_stream_pieces_join_to_the_answer_and_keep_citations_whole() -> None:
    gen = ExtractiveGenerator(piece_chars=5)
    r = req("LoRA 为什么能减少可训练参数？", LORA)
    pieces = [p async for p in gen.stream(r)]
    assert len(pieces) > 3 and "".join(pieces) == await gen.complete(r)
    assert all("[" not in p or re.fullmatch(r"\[\d+\]", p) for p in pieces)


def test_split_sentences_handles_bullets_and_punctuation() -> None:
    text = "## 1. 标题\n第一句。第二句！\n- 第三句；第四句!\n|---|---|\n包括以下：\n为什么呢？"
    assert split_sentences(text) == ["第一句。", "第二句！", "第三句；", "第四句!"]
    assert split_sentences("It works. Then it stops.") == ["It works.", "Then it stops."]


def test_features_mix_bigrams_and_words() -> None:
    assert features("LoRA微调") == {"微调", "w:lora"}
    assert "什么" not in features("什么是注意力", question=True)


async def test_protocol_and_count_tokens() -> None:
    gen = ExtractiveGenerator()
    assert isinstance(gen, Generator)
    assert gen.name == "extractive" and gen.count_tokens("注意力 heads") >= 3
    await gen.check()


def test_factory() -> None:
    assert isinstance(build_generator("extractive"), ExtractiveGenerator)
    cfg = GeneratorConfig.from_settings(Settings(), base_url="http://127.0.0.1:1/v1", model="m")
    for kind in ("vllm", "openai", "llamacpp"):
        gen = build_generator(kind, cfg)
        assert gen.name == kind and isinstance(gen, Generator)
    with pytest.raises(BadInput):
        build_generator("gpt-5")
