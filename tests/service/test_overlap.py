"""The overlap vocabulary that evidence selection scores with."""

from __future__ import annotations

from service.overlap import features, weight


def test_a_number_keeps_its_unit_as_one_term() -> None:
    # 002: "7B: 全精度28G, 半精度14G" answers a 7B question; the 13B line next to it does not
    asked = features("7B 的模型用半精度做推理，大概要占多少显存？", question=True)
    seven = features("7B: 全精度28G, 半精度14G")
    thirteen = features("13B: 全精度52G, 半精度26G")
    assert "w:7b" in asked and "w:7b" in seven
    assert "w:b" not in seven  # the unit alone would make every size match every other
    assert weight(asked & seven) > weight(asked & thirteen)


def test_english_terms_with_digits_stay_whole() -> None:
    feats = features("fp16 和 bf16 的区别，Qwen2 的 top k")
    assert {"w:fp16", "w:bf16", "w:qwen2", "w:top", "w:k"} <= feats
