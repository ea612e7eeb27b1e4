"""Evidence selection on real corpus passages."""

from __future__ import annotations

from service.evidence import select
from tests.service.grounding_data import FILE_000, FILE_002, decoder_only, hit, parroting_causes


def test_section_that_asks_the_question_gives_its_points_in_order() -> None:
    # retrieval put another section first; the heading that asks the question still wins
    ev = select("为什么会出现复读机问题？", [decoder_only(), parroting_causes()])
    assert ev.same_question
    labels = [u.text.split("：")[0] for u in ev.units if u.item]
    assert labels == ["数据偏差", "训练目标的限制", "缺乏多样性的训练数据", "模型结构和参数设置"]
    assert all(u.n == 2 and u.file == FILE_000 for u in ev.units)
    assert all(u.heading_path[-1].startswith("4.2") for u in ev.units)
    assert all(0 <= u.start < u.end for u in ev.units)


def test_copies_in_other_files_are_one_point() -> None:
    first, copy = parroting_causes(), parroting_causes()
    ev = select("为什么会出现复读机问题？", [first, copy])
    assert len([u for u in ev.units if u.item]) == 4  # not eight


def test_hollow_hits_never_give_evidence() -> None:
    bare = parroting_causes()
    hollow = type(bare)(type(bare.chunk)(**{**bare.chunk.__dict__, "hollow": True}), 1.0)
    assert select("为什么会出现复读机问题？", [hollow]).empty


def test_without_a_matching_heading_the_best_section_answers() -> None:
    ev = select("大模型为什么都用 decoder-only？", [decoder_only(), parroting_causes()])
    assert ev.units and {u.n for u in ev.units} == {1}
    assert any("低秩" in u.text for u in ev.units)


def test_a_two_part_question_gets_evidence_for_each_part() -> None:
    from service.grounding import select_parts

    q = "为什么会出现复读机问题？为何现在的大模型大部分是Decoder only结构？"
    ev = select_parts(q, [decoder_only(), parroting_causes()])
    assert {u.n for u in ev.units} == {1, 2}
    # each part's points stay together, in the question's order
    assert ev.units[0].n == 2 and ev.units[-1].n == 1


def test_a_deeper_matching_sentence_joins_its_point() -> None:
    from service.compose import compose

    ev = select("为什么会出现复读机问题？", [parroting_causes()])
    text = compose(ev).text
    lines = text.splitlines()
    assert len(lines) == 4 and all(ln.startswith("- ") for ln in lines)  # still four points
    # the item's second sentence, which names the problem, continues the second point
    assert "导致复读机问题的出现" in lines[1]


def test_a_second_list_keeps_its_lead_in() -> None:
    from service.compose import compose
    from tests.service.grounding_data import hit

    # 001 answers "why" with the causes, then "为了解决复读机问题，可以采取以下策略：" and a
    # second list: without that line the remedies would read as more causes
    both = hit(
        "001_c14bfeaf169b6fab.txt", 318, 331, ("LLMs 复读机问题", "为什么会出现 LLMs 复读机问题？")
    )
    lines = compose(select("为什么会出现 LLMs 复读机问题？", [both])).text.splitlines()
    cut = lines.index("为了解决复读机问题，可以采取以下策略[1]：")
    assert cut == 5 and all(ln.startswith("- ") for ln in lines[1:cut] + lines[cut + 1 :])


def test_a_point_that_ends_in_a_colon_brings_the_lines_under_it() -> None:
    # 002: "公式含义: $C=6DN$" then "- 变量解释:" and one unlisted line per variable
    scaling = hit(FILE_002, 647, 655, ("Scaling Law", "Scaling Law 的经验公式是什么？"))
    ev = select("Scaling Law 的经验公式是什么？", [scaling])
    texts = [u.text for u in ev.units]
    intro = next(i for i, t in enumerate(texts) if t.startswith("变量解释"))
    assert [t[:3] for t in texts[intro + 1 : intro + 5]] == ["$C$", "$D$", "$N$", "$6$"]
