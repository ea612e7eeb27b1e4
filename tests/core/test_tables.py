"""A markdown table's body rows are points that say which column is which (core/tables.py)."""

from __future__ import annotations

from core.units import split_units
from tests.service.grounding_data import FILE_002, lines


def test_a_row_says_each_cell_under_its_column() -> None:
    # 002, Word2Vec: "`CBOW`和`Skip-Gram`的对比" over a table of five rows
    units = split_units(lines(FILE_002, 589, 597))
    head, rows = units[0], units[1:]
    assert head.text == "`CBOW`和`Skip-Gram`的对比" and head.label
    assert [u.text for u in rows][3] == (
        "适用场景：CBOW 更适合小数据集和高频单词，Skip-Gram 更适合大数据集和稀有单词。"
    )
    # each row is a point under the item, spanning its own line of the notes
    assert all(u.item and u.parent == head.start for u in rows) and len(rows) == 5
    text = lines(FILE_002, 589, 597)
    assert text[rows[0].start : rows[0].end].startswith("| **思路** |")
    # a cell's own "；" doesn't cut the row into pieces
    assert rows[1].text == (
        "输入输出：CBOW 输入: 上下文单词集合，输出: 目标单词，Skip-Gram 输入: 目标单词，输出: 上下文单词集合。"
    )


def test_a_two_column_row_is_a_pair() -> None:
    # 002, memory per data type: the one other column's name is not said on every row
    rows = [u.text for u in split_units(lines(FILE_002, 687, 692))]
    assert rows == [
        "Float32 (全精度)：4G。",
        "fp16/bf16 (半精度)：2G。",
        "int8：1G。",
        "int4：0.5G。",
    ]


def test_a_passage_that_opens_inside_a_table_reads_its_first_row_as_a_row() -> None:
    # 002, Word2Vec: a piece cut after the third row; its first row is no header
    rows = [u.text for u in split_units(lines(FILE_002, 596, 597))]
    assert rows[0] == "适用场景：更适合小数据集和高频单词，更适合大数据集和稀有单词。"
    assert rows[1].startswith("训练效果：能够更快收敛")
    # with the table's header and rule carried in the chunk's lead, the columns are named
    lead = tuple(lines(FILE_002, 591, 592).splitlines())
    rows = [u.text for u in split_units(lines(FILE_002, 596, 597), lead)]
    assert rows[1] == (
        "训练效果：CBOW 能够更快收敛, 但对稀疏单词表现较弱，"
        "Skip-Gram 对稀疏单词更敏感, 可以学习到更精确的词向量。"
    )
