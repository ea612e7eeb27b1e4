"""The kind of answer a question asks for, checked against real passages."""

from __future__ import annotations

from service.asks import defined, missing_kind, used_for, without_excepted
from tests.service.grounding_data import bf16, decoder_only


def test_a_formula_the_passage_does_not_give() -> None:
    text = decoder_only().chunk.text
    assert missing_kind("请推导一下 decoder-only 注意力的公式。", text) == "公式推导"
    assert missing_kind("Derive the formula for it.", text) == "a formula"
    assert missing_kind("为什么大模型大多是 decoder-only？", text) is None  # asks for reasons


def test_a_number_the_passage_gives() -> None:
    assert missing_kind("bf16 用多少位表示指数？", bf16().chunk.text) is None
    assert missing_kind("decoder-only 模型要多少显存？", decoder_only().chunk.text) == "具体数字"
    # in the language the user typed, not the glossary's Chinese terms added to the question
    asked = "How much memory does a decoder-only model need?（显存）"
    assert missing_kind(asked, decoder_only().chunk.text, english=True) == "the number asked for"


def test_model_names() -> None:
    text = "采用去噪自编码器作为训练目标的任务有GLM-130B、T5."
    assert missing_kind("哪些模型采用去噪自编码器？", text) is None
    assert (
        missing_kind("哪些模型采用去噪自编码器？", "去噪自编码器的实现难度更高。") == "具体的模型"
    )
    # 004's comparison of the three architectures names none of their models: "NLP" is a
    # field, "Encoder-Decoder" one more architecture like the one asked about
    text = "Encoder-Decoder：在输入上采用双向注意力。适用任务：在偏理解的 NLP 任务上效果好。"
    assert missing_kind("prefix Decoder 系有哪些代表模型？", text) == "具体的模型"
    assert missing_kind("prefix Decoder 系有哪些代表模型？", "代表模型：ChatGLM、U-PaLM") is None


def test_refused_through_the_app_with_what_is_missing(app_factory, Fake) -> None:
    with app_factory(Fake()) as (client, gen):
        body = client.post("/ask", json={"question": "请推导 prefix LM 的注意力公式"}).json()
        assert body["refused"] and body["answer"] == "笔记里有相关内容，但没有给出公式推导。"
        assert body["refusal_reason"] == "missing_kind"
        assert gen.calls == 0


def test_a_size_needs_a_unit_of_storage() -> None:
    # "6B" counts parameters and "7B" too: neither says how large a weight file is
    text = "ChatGLM-6B 用 LoRA 微调，只训练 0.1% 的参数，7B 模型也适用。"
    assert missing_kind("ChatGLM-6B 做完 LoRA 之后，权重文件有多大？", text) == "具体的大小"
    assert missing_kind("LoRA 的权重文件有多大？", "LoRA 权重只有 15MB 左右。") is None
    assert missing_kind("How large is the file of LoRA weights?", text) == "the size asked for"
    assert missing_kind("What is the file size of the LoRA weights?", text) == "the size asked for"
    # how a size changes is no size: the notes answer it in words
    gguf = "Q2: 2-bit 量化, 文件尺寸最小, 但精度损失可能相对较大."
    assert missing_kind("How does a smaller number in Q2…Q5 affect file size?", gguf) is None


def test_a_speed_up_needs_a_factor() -> None:
    text = "推理时每步只生成 1 个 token，需要 2 个模型。"
    question = "What is speculative decoding and how much does it speed up inference?"
    assert missing_kind(question, text) == "the speed-up figure"
    assert missing_kind(question, "It is 2-3x faster.") is None
    assert missing_kind("量化能加速多少？", "INT8 量化推理速度提升约 2 倍。") is None


def test_what_a_question_asks_to_define() -> None:
    assert defined("困惑度是什么？") == "困惑度"
    assert defined("什么是 LoRA？") == "LoRA"
    assert defined("What is a knowledge graph?") == "knowledge graph"
    assert defined("What is gradient clipping?（梯度）") == "gradient clipping"  # glossary's gloss
    assert defined("What does the name LLaMA stand for?") == "LLaMA"
    assert defined("困惑度是怎么定义的？") == "困惑度"
    assert defined("困惑度这个指标又是怎么定义的？") == "困惑度"  # words that only point at it
    assert defined("温度参数是怎么定义的？") == "温度参数"  # …but a name's own last word stays
    # two things, a reason or a comparison: not a question about what one thing is
    assert defined("张量并行和流水线并行有什么区别？") is None
    assert defined("LoRA 为什么能让训练变快？") is None


def test_what_a_thing_is_for_names_the_thing() -> None:
    assert used_for("数据增强生成有什么作用？") == "数据增强生成"
    assert used_for("温度参数有啥用途？（温度）") == "温度参数"
    assert used_for("为什么需要提示学习？") is None and used_for("LoRA 是什么？") is None


def test_what_a_question_sets_aside_is_left_out() -> None:
    assert without_excepted(
        "估算训练显存时，除了模型参数、梯度和优化器状态这三大块，还有哪些开销？"
    ) == ("估算训练显存时， 还有哪些开销？")
    assert without_excepted("LoRA 除了 NLP 之外还能用在哪些场景？") == "LoRA  还能用在哪些场景？"
    assert without_excepted("Besides the overall pipeline, which aspects matter?") == (
        "which aspects matter?"
    )
    assert without_excepted("LoRA 的思路是什么？") == "LoRA 的思路是什么？"
