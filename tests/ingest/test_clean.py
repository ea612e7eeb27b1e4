"""Each cleaning rule, exercised with lines copied verbatim from corpus/ (file:line in comments)."""

from __future__ import annotations

import pytest

from ingest.clean import clean_lines, split_lines


def _clean(*lines: str) -> list[tuple[str | None, str]]:
    return [(ln.dropped, ln.text) for ln in clean_lines(split_lines("\n".join(lines)))]


def _reasons(*lines: str) -> list[str | None]:
    return [reason for reason, _ in _clean(*lines)]


def test_split_lines_offsets_exclude_newline() -> None:
    text = "# 大模型面试宝典\n\r\n深度+广度"
    lines = split_lines(text)
    assert [(ln.no, ln.text) for ln in lines] == [
        (1, "# 大模型面试宝典"),
        (2, ""),
        (3, "深度+广度"),
    ]
    for ln in lines:
        assert text[ln.start : ln.end] == ln.text


@pytest.mark.parametrize(
    "line",
    [
        "大语言模型基础 .....\t0",  # 000:14, dotted leader
        "<b>推理 .....</b>\t<b>13</b>",  # 000:45, section row wrapped in <b>
        "3. LANGCHAIN 如何调用 LLMs 生成回复？\t26",  # 000:77, page number but no dots
        "- [[#1 大模型怎么评测？ |1 大模型怎么评测？]]",  # 001:1810, wiki-link contents
        "答案",  # 001:239
    ],
)
def test_table_of_contents(line: str) -> None:
    assert _reasons(line) == ["toc"]


@pytest.mark.parametrize(
    "line",
    ["- [x] 大模型（LLMs）基础面", "- [] 大模型 (LLMs) 显存问题面"],  # 001:7, 001:185
)
def test_checklist(line: str) -> None:
    assert _reasons(line) == ["checklist"]


@pytest.mark.parametrize(
    "line",
    [
        "😝有需要的小伙伴,可以V扫描下方二维码免费领取🆓",  # 003:12
        "更多面试内部资料，大模型实战经验请扫码加入下面的知识星球：",  # 004:3
        "【如果你曾经是我的学员，请添加微信aimaksen，告知你是哪里学员，退回星球费用】",  # 004:7
        "面试题笔记分享",  # 003:113, title of the promo block
    ],
)
def test_ads(line: str) -> None:
    assert _reasons(line) == ["ad"]


def test_paywall_heading_hides_its_teaser_list() -> None:
    reasons = _reasons(
        "## [大模型（LLMs）进阶面](https://articles.zsxq.com/id_4wsf9thdioq3.html)",  # 004:368
        "",
        "1. LLMs 复读机问题",  # 004:370
        "   1. 什么是 LLMs 复读机问题？",  # 004:371
        "- [点击查看答案](https://articles.zsxq.com/id_4wsf9thdioq3.html)",  # 004:381
    )
    assert reasons == ["paywall", None, "paywall", "paywall", "paywall"]


@pytest.mark.parametrize(
    "line",
    [
        "    ![Untitled](LLM/Untitled.png)",  # 002:11
        "![图 14](http://image.rarelimiting.com/4baa14c515834ae00a68682dc53d0023bd220ed27059b6f87776bb16cb0abd6c.png)  ",  # 004:23
        ' <img src="http://image.rarelimiting.com/ef790b3b816bc0568a217ffa7e7e59f252b672b41c203a23dd304ee452d9d4ea.png" width = "450" height = "498" alt="图片名称" align=center />',  # 004:5
    ],
)
def test_images(line: str) -> None:
    assert _reasons(line) == ["image"]


@pytest.mark.parametrize(
    "line",
    [
        "💡 [https://python.langchain.com/docs/get_started/introduction]",  # 001:644
        "https://python.langchain.com/docs/modules/data_connection/indexing",  # 001:788
    ],
)
def test_bare_urls(line: str) -> None:
    assert _reasons(line) == ["url"]


def test_link_syntax_is_stripped_from_kept_prose() -> None:
    # 001:661 (shortened after its first sentence)
    line = "[\\(https://python.langchain.com/docs/modules/chains/\\)](https://python.langchain.com/docs/modules/chains/) Components and Chains are key concepts in the LangChain framework."
    [(reason, text)] = _clean(line)
    assert reason is None
    assert text.strip() == "Components and Chains are key concepts in the LangChain framework."


def test_html_tags_and_markdown_escapes_are_cleaned_in_kept_lines() -> None:
    # 000:752 has `max\_tokens`; stray <b> tags are only in 000's TOC rows, so one is wrapped here.
    line = "请注意，可以根据需要自定义LLM的参数，例如温度（temperature）、最大令牌数（max\\_tokens）等。LangChain文档中有关于LLMChain类和LLM参数的更多详细信息。"
    [(reason, text)] = _clean(line)
    assert reason is None and "max_tokens" in text and "\\_" not in text
    [(reason, text)] = _clean("<b>推理</b>")
    assert reason is None and text == "推理"


def test_blog_chrome_from_comment_box_to_end() -> None:
    # 003:206-207 and 224-225
    assert _reasons("评论", "添加红包", "扫码支付", "钱包余额 0") == ["chrome"] * 4
    assert _reasons("钱包余额 0") == ["chrome"]


def test_answerless_question_list() -> None:
    block = [  # 003:120-134
        "## 大模型(LLMs)基础面",
        "",
        "1.目前 主流的开源模型体系 有哪些?",
        "2.prefix LM 和 causal LM 区别是什么?",
        "3.涌现能力是啥原因?",
        "4.大模型 LLM的架构介绍?",
        "大模型(LLMs)进阶面",
        "1.llama 输入句子长度理论上可以无限长吗?",
        "2.什么是 LLMs 复读机问题?",
        "3.为什么会出现 LLMs 复读机问题?",
        "4.如何缓解 LLMs 复读机问题?",
        "5.LLMs 复读机问题",
        "6.lama 系列问题",
        "7.什么情况用 Bert模型,什么情况用LLaMA、ChatGLM类大模型,咋选?8.各个专业领域是否需要各自的大模型来服务?",
        "9.如何让大模型处理更长的文本?",
    ]
    reasons = _reasons(*block)
    assert all(r == "qlist" for r, ln in zip(reasons, block, strict=True) if ln)


def test_nothing_applies_inside_code_fences() -> None:
    fence = [  # 001:663-666, plus an ad-like and a checklist-like line that must survive in code
        "```",
        "from langchain import Component, Chain",
        "",
        "# Define components",
        "- [x] 扫码",
        "```",
    ]
    assert _clean(*fence) == [(None, ln) for ln in fence]


def test_markdown_tables_stay_intact() -> None:
    rows = [  # 002:159-161
        "    | **维度** | **Token** | **词表(`Vocabulary`)** | **语义空间(`Semantic Space`)** |",
        "    |---------|-----------|---------|---------|",
        "    | **定义** | 文本被分割后的最小单元, 如单词, 子词, 字符或特殊符号. | 包含所有Token的集合, 用于构建模型输入输出的映射关系. | 一个高维向量空间, 用于表示Token或文本单元的语义信息, 捕捉其上下文含义和关系. |",
    ]
    assert _clean(*rows) == [(None, r) for r in rows]


def test_code_comments_with_dots_are_not_toc() -> None:
    # 004:296 ends in "...." but has no page number
    line = "# 3)入库检索，官方使用的Pinecone,他提供一个后台管理界面 | 用户需求太大，不好用了已经，一直加载中...."
    assert _reasons(line) == [None]


# 000_92dbb6eadc19f86a.txt:515-520: a page break cut "中低分数" in two.
CUT = (
    "- 2) **强化学习更容易解决幻觉问题**: 有监督学习算法非常容易使得求知型查询产生幻觉。而使用强化"
    "学习方法，则可以通过定制奖励函数，将正确答案赋予非常高的分数，放弃回答的答案赋予中低分"
)
CUT_REST = "数，不正确的答案赋予非常高的负分，使得模型学会依赖内部知识选择放弃回答，从而在一定程度上缓解模型幻觉问题。"
# 000_92dbb6eadc19f86a.txt:472-476: the next page repeats the last word's tail first.
REPEAT = "- Temperature：用于调整随机从生成模型中抽样的程度，使得相同的提示可能会产生不同的输出。"
REPEAT_REST = "出。温度为 0 将始终产生相同的输出，该参数设置越高随机性越大。"
EN_CUT = "The output parser provides the parsed output. We can then further process it as"
EN_CUT_REST = "needed. Output Parsers provide a flexible way to handle the output."


def test_a_sentence_cut_by_a_page_break_is_joined_again() -> None:
    rows = _clean(CUT, "", "", " ", CUT_REST)
    assert rows[0] == (None, CUT + CUT_REST)
    assert rows[-1][0] == "page_break"
    rows = _clean(REPEAT, "", "", REPEAT_REST)
    assert rows[0] == (None, REPEAT + REPEAT_REST[2:])  # the repeated "出。" once
    assert rows[-1][0] == "page_break"
    # 001_c14bfeaf169b6fab.txt:779-781: an English sentence cut between two words
    rows = _clean(EN_CUT, "", EN_CUT_REST)
    assert rows[0] == (None, EN_CUT + " " + EN_CUT_REST)
    assert rows[-1][0] == "page_break"


def test_lines_that_only_look_cut_stay_apart() -> None:
    # 004_0654c56c1556bb94.txt:220-222: a label line (no comma) before a new paragraph
    label = "langchain.PromptTemplate: langchain中的提示模板类"
    para = "根据不同的下游任务设计不同的prompt模板，然后填入内容，生成新的prompt。"
    assert _reasons(label, "", para) == [None, None, None]
    # a whole sentence, then a new paragraph; a heading; no blank line between
    assert _reasons(REPEAT, "", "因此，对幻觉的容忍度取决于具体的应用场景。") == [None, None, None]
    assert _reasons("## " + CUT[2:], "", CUT_REST) == [None, None, None]
    assert _reasons(CUT, CUT_REST) == [None, None]
    # a list item or a number after the break is a new point
    assert _reasons(CUT, "", "- 3) 强化学习可以更好的解决多轮对话奖励累积问题")[2] is None
