from __future__ import annotations

from service.citations import attribute


def test_sentences_taken_from_a_passage_get_its_number() -> None:
    passages = [
        "LoRA 冻结预训练权重，在旁边加入低秩分解矩阵 A 和 B，只训练这两个小矩阵。",
        "P-tuning v2 在每一层都加入可训练的连续提示向量。",
    ]
    answer = (
        "LoRA 冻结预训练权重，只训练低秩分解矩阵。P-tuning v2 在每一层加入连续提示。红烧肉很好吃。"
    )
    text, cited = attribute(answer, passages)
    assert cited == [1, 2]
    assert "只训练低秩分解矩阵[1]。" in text and "连续提示[2]。" in text
    assert text.endswith("红烧肉很好吃。")  # unsupported: left uncited, never invented


def test_no_passages_no_citations() -> None:
    assert attribute("随便说一句话。", []) == ("随便说一句话。", [])
