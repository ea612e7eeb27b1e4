from __future__ import annotations

from dataclasses import replace

from core.errata import masked
from service.compose import compose
from service.evidence import select
from service.grounding import select_parts
from tests.service.grounding_data import FILE_000, FILE_001, hit

# 001, "7. 💡 大模型LLM进行SFT 如何对样本进行优化？": a lead, then seven ways, 样本权重 fifth
SAMPLES = ("大模型面试经验", "微调面", "7. 💡 大模型LLM进行SFT 如何对样本进行优化？")


def test_the_point_that_says_what_is_asked_comes_first() -> None:
    samples = hit(FILE_001, 615, 625, SAMPLES)
    q = "做 SFT 时，对那些特别重要或者特别难的样本，怎样让模型更多地关注它们？"
    units = select_parts(q, [samples]).units
    assert units[0].text.startswith("样本权重")
    # the rest keeps the notes' order
    starts = [u.start for u in units[1:] if u.item]
    assert starts == sorted(starts)
    assert compose(select_parts(q, [samples])).sentences[0].text.startswith("样本权重")
    # evidence selection itself keeps the notes' order: the answer's first point is chosen after
    assert not select(q, [samples]).units[0].text.startswith("样本权重")


def test_a_question_the_heading_asks_keeps_the_notes_order() -> None:
    samples = hit(FILE_001, 615, 625, SAMPLES)
    units = select_parts("大模型 SFT 如何对样本进行优化？", [samples]).units
    assert not units[0].text.startswith("样本权重")
    assert [u.text[:4] for u in units if u.item][:2] == ["数据清洗", "数据增强"]


def test_a_question_in_parts_is_answered_in_its_order() -> None:
    samples = hit(FILE_001, 615, 625, SAMPLES)
    q = "SFT 时哪些样本要清洗？特别重要或者特别难的样本怎样让模型更多地关注？"
    units = select_parts(q, [samples]).units
    assert not units[0].text.startswith("样本权重")


# 000, "2. 简单介绍一下 RLHF?": a lead, then three steps; the second's lines are its siblings
RLHF = ("大模型面试宝典", "大模型（LLMs）强化学习面", "2. 简单介绍一下 RLHF?")


def test_the_first_part_of_a_question_in_parts_opens_on_its_own_point() -> None:
    steps = hit(FILE_000, 527, 542, RLHF)
    q = "训练奖励模型那一步，让 SFT 模型对一个问题生成几个答案？人工做的是哪种标注？"
    units = select_parts(q, [steps]).units
    # the point the first part asks about comes first, with the step that introduces it
    assert units[0].text.startswith("训练奖励模型(收集排序数据")
    assert units[1].text.startswith("给定一个问题，让上一步训练好的预训练模型 SFT 生成答案")
    # its lines, then the rest in the notes' order
    assert units[2].text.startswith("GPT 每一次预测一个词的概率")
    rest = [u.start for u in units[5:]]
    assert rest == sorted(rest) and units[5].text.startswith("RLHF就是基于人类反馈")


# 000, "7. 怎样构建基于 LLM 的 Agents?": "Agent = LLM + … + Knowledge + Memory", then four parts
AGENTS = ("大模型面试宝典", "LLM Agent", "7. 怎样构建基于 LLM 的 Agents?")


def test_the_points_a_question_singles_out_by_name_come_first() -> None:
    parts = hit(FILE_000, 598, 606, AGENTS)
    q = "搭建 LLM Agent 时，Knowledge 和 Memory 这两个组成部分有什么区别？"
    items = [u.text for u in select_parts(q, [parts]).units if u.item]
    assert items[0].startswith("Knowledge") and items[1].startswith("Memory")
    # the rest in the notes' order, the formula that announces them included
    assert [t[:6] for t in items[2:]] == ["Prompt", "Tools:"]


def test_a_point_the_question_sets_aside_does_not_come_first() -> None:
    parts = hit(FILE_000, 598, 606, AGENTS)
    units = select_parts("搭建 Agent 时，除了 Knowledge，还需要哪些部分？", [parts]).units
    assert not units[0].text.startswith("Knowledge")


# 001, "如何解决人工产生的偏好数据集成本较高，很难量产问题？": a lead, then five ways
PREFERENCE = (
    "大模型面试经验",
    "强化学习面",
    "3 如何解决人工产生的偏好数据集成本较高，很难量产问题？",
)


def test_a_point_named_in_the_clause_that_asks_comes_first() -> None:
    ways = hit(FILE_001, 1876, 1882, PREFERENCE)
    q = "人工标注的偏好数据成本太高时，用模拟数据来代替是怎么做的？有什么好处？"
    assert select_parts(q, [ways]).units[0].text.startswith("引入模拟数据")
    # named only where the question sets the scene, it stays in its place
    q = "用模拟数据、主动学习这些办法都试过了，偏好数据还是太贵，还有哪些路子？"
    assert not select_parts(q, [ways]).units[0].text.startswith("引入模拟数据")


# 001, "8. 💡 **训练中文大模型有啥经验？**": a line announcing a list, then seven pieces of advice
CHINESE = ("大模型面试经验", "大模型（LLMs）训练集面", "8. 💡 **训练中文大模型有啥经验？**")


def test_the_one_point_that_says_the_asking_clause_comes_first() -> None:
    advice = hit(FILE_001, 525, 534, CHINESE)
    # its first point withheld, as corpus/overrides.toml has it (its preprocessing is wrong)
    wrong = ("常见的预处理步骤包括分词、去除停用词、词性标注、拼音转换等", "编者注")
    advice = replace(advice, chunk=masked(replace(advice.chunk, errata=(wrong,))))
    q = "训练中文大模型时推荐用哪些中文分词工具？"
    units = select_parts(q, [advice]).units
    assert units[0].text.startswith("中文特定的任务")  # "…例如中文分词、命名实体识别…"
    assert units[1].text.startswith("训练中文大模型时，以下经验")  # then the list as it was
    # the list as a whole asked: the announcing line still opens it
    units = select_parts("训练中文大模型有哪些经验？", [advice]).units
    assert units[0].text.startswith("训练中文大模型时，以下经验可能会有所帮助")
