"""Lexical answer-point matching on real lines of the notes and hand-written points."""

from __future__ import annotations

from eval.points import lexical_points, point_recall, terms

# dev-057's two points against the sentence of 002 that answers it
ANSWER = (
    "WordPiece与BPE的最大区别在于, 如何选择两个子词进行合并: BPE选择频数最高的相邻子词合并, "
    "而WordPiece选择能够提升语言模型概率最大的相邻子词加入词表.[1]"
)


def test_terms_are_cjk_bigrams_and_latin_words() -> None:
    assert terms("BPE 合并频数") == {"bpe", "合并", "并频", "频数"}
    assert terms("Qwen2.5 的 0.5B 模型") == {"qwen2.5", "0.5b", "模型"}
    assert terms("和") == set() and terms("梯") == {"梯"}  # a lone character still counts


def test_points_the_answer_states_are_covered_and_others_missed() -> None:
    points = [
        "BPE 合并频数最高的相邻子词",
        "WordPiece 选择能最大提升语言模型概率的相邻子词",
        "Unigram 从大词表开始逐步删除子词",
    ]
    hit, missed = lexical_points(points, ANSWER)
    assert hit == points[:2] and missed == points[2:]
    assert (
        point_recall(points[0], ANSWER) == 0.9
    )  # "并频" straddles words the notes order otherwise
    assert point_recall(points[2], ANSWER) < 0.5


def test_citation_markers_and_empty_points_never_match() -> None:
    assert point_recall("[1]", "答案[1]") == 0.0
    assert lexical_points([], ANSWER) == ([], [])
