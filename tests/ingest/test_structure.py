"""Heading detection on real excerpts of each corpus file (lines copied verbatim, numbers in comments)."""

from __future__ import annotations

from ingest.clean import clean_lines, split_lines
from ingest.structure import build_sections, classify, detect_headings

EXCERPT_000 = [
    "# 大模型面试宝典",  # 3
    "### 3. 为何现在的大模型大部分是Decoder only结构",  # 140
    "",  # 141
    "- Encoder的低秩问题：Encoder的双向注意力会存在低秩问题，这可能会削弱模型表达能力，就生成任务而言，引入双向注意力并无实质好处。",  # 142
    "- 更好的Zero-Shot性能、更适合于大语料自监督学习：decoder-only 模型在没有任何 tuning 数据的情况下、zero-shot 表现最好，而 encoder-decoder 则需要在一定量的标注数据上做 multitask finetuning 才能激发最佳性能。",  # 143
    "- 效率问题：decoder-only支持一直复用KV-Cache，对多轮对话更友好，因为每个Token的表示之和它之前的输入有关，而encoder-decoder和PrefixLM就难以做到。",  # 144
    "",  # 145
    "### 4. LLMs复读机问题",  # 146
    "",  # 147
    "#### 4.1 什么是 LLMs 复读机问题？",  # 148
    "",  # 149
    "LLMs复读机问题 (LLMs Parroting Problem) 是指大型语言模型在生成文本时过度依赖输入文本的复制，而缺乏创造性和独特性。当面对一个问题或指令时，模型可能会简单地复制输入文本的一部分或全部内容，并将其作为生成的输出，而不是提供有意义或新颖的回应。",  # 150
    "",  # 151
    "#### 4.2 为什么会出现 LLMs 复读机问题？",  # 152
    "- 4) **模型结构和参数设置：**大型语言模型的结构和参数设置也可能对复读机问题产生影响。例如，模型的注意力机制和生成策略可能导致模型更倾向于复制输入的文本。",  # 160
    "",  # 161
    "## 4.3 如何缓解 LLMs 复读机问题？",  # 162
]
EXCERPT_001 = [
    "大模型面试经验",  # 3
    "进阶面",  # 294
    "",  # 295
    "1 LLMs 复读机问题",  # 296
    "",  # 297
    "i. 什么是 LLMs 复读机问题？",  # 298
    "",  # 299
    "LLMs复读机问题指的是大型语言模型（LLMs）在生成文本时出现的一种现象，即模型倾向于无限地复制输入的文本或者以过度频繁的方式重复相同的句子或短语。这种现象使得模型的输出缺乏多样性和创造性，给用户带来了不好的体验。复读机问题可能出现的原因包括：",  # 300
    "",  # 301
    "1. 数据偏差：大型语言模型通常是通过预训练阶段使用大规模无标签数据进行训练的。如果训练数据中存在大量的重复文本或者某些特定的句子或短语出现频率较高，模型在生成文本时可能会倾向于复制这些常见的模式。",  # 302
    "2. 训练目标的限制：大型语言模型的训练通常是基于自监督学习的方法，通过预测下一个词或掩盖词来学习语言模型。这样的训练目标可能使得模型更倾向于生成与输入相似的文本，导致复读机问题的出现。",  # 303
    "9. LangChain 存在哪些问题及方法方案?",  # 1083
    "",  # 1084
    "1. LangChain 低效的令牌使用问题",  # 1085
    "",  # 1086
    "LoRA 系列篇",  # 1613
    "",  # 1614
    "- 一、LoRA篇",  # 1615
    " - 1.1 什么是 LoRA?",  # 1616
    "",  # 1617
    '💡 **什么是low-rank adaptation of large language models? **"low-rank adaptation of large language models" 是一种针对大型语言模型进行低秩适应的技术。大型语言模型通常具有数十亿个参数, 这使得它们在计算和存储方面非常昂贵。低秩适应的目标是通过将语言模型的参数矩阵分解为低秩近似, 来减少模型的复杂度和计算资源的需求。低秩适应的方法可以通过使用矩阵分解技术, 如奇异值分解 (Singular Value Decomposition, SVD) 或特征值分解 (Eigenvalue Decomposition), 将语言模型的参数矩阵分解为较低秩的近似矩阵。通过这种方式, 可以减少模型的参数量和计算复杂度, 同时保留模型的关键特征和性能。低秩适应的技术可以用于加速大型语言模型的推理过程, 减少模型的存储需求, 并提高在资源受限环境下的模型效率。它是在大型语言模型优化和压缩领域的一个重要研究方向。',  # 1618
    "",  # 1619
    "- 1.2 LoRA 的思路是什么？",  # 1620
    "4 旋转位置编码 RoPE篇",  # 1973
    "",  # 1974
    "4.1 旋转位置编码 RoPE 思路是什么？",  # 1975
    "",  # 1976
    "旋转位置编码（Rotation Position Encoding, RoPE）是一种用于为序列数据中的每个位置添加旋转位置信息的编码方法。RoPE的思路是通过引入旋转矩阵来表示位置之间的旋转关系，从而捕捉序列中位置之间的旋转模式。传统的绝对位置编码和相对位置编码方法主要关注位置之间的线性关系，而忽略了位置之间的旋转关系。然而，在某些序列数据中，位置之间的旋转关系可能对于模型的理解和预测是重要的。例如，在一些自然语言处理任务中，单词之间的顺序可能会发生旋转，如句子重排或句子中的",  # 1977
    "",  # 1978
    "语法结构变化。RoPE通过引入旋转矩阵来捕捉位置之间的旋转关系。具体而言，RoPE使用一个旋转矩阵，将每个位置的位置向量与旋转矩阵相乘，从而获得旋转后的位置向量。这样，模型可以根据旋转后的位置向量来识别和理解位置之间的旋转模式。RoPE的优势在于它能够捕捉到序列数据中位置之间的旋转关系，从而提供了更丰富的位置信息。这对于一些需要考虑位置旋转的任务，如自然语言推理、自然语言生成等，尤为重要。RoPE的引入可以帮助模型更好地理解 and 建模序列数据中的旋转模式，从而提高模型的性能和泛化能力。",  # 1979
    "",  # 1980
    "4.2 推导一下 旋转位置编码 RoPE ？",  # 1981
    "",  # 1982
    "4.3 旋转位置编码 RoPE 有什么优点？",  # 1983
]
EXCERPT_002 = [
    "# LLM",  # 1
    "",  # 2
    "- Q1 **语言模型的工作机理是什么?**",  # 3
    "",  # 4
    "    - bf16 用8bit 表示指数, 7bit 表示小数, fp16用5bit 表示指数, 10bit 表示小数.也就是说bf16 可表示的整数范围更广泛, 但是精度较低, fp16 表示整数范围较小, 但是精度较高.",  # 521
    "",  # 522
    "    - 尽管BF16的精度较低, 但是它的表示范围较大, 因此在深度学习中通常是更好的选择.此外, 也是由于精度没有那么高, BF16在操作时需要的硬件资源也会较少.",  # 523
    "",  # 524
    "- Q22 **RLHF过程中RM随着训练过程得分越来越高, 效果就一定好吗? 有没有极端情况?**",  # 525
    "",  # 526
    "- Q23 **解释P-tuning 的工作原理, 并说明它与传统的 fine-tuning方法的不同之处.**",  # 527
    "",  # 528
    "- Q24 **大模型涌现是什么?**",  # 529
    "",  # 530
]
EXCERPT_003 = [
    "2024最新AI大模型-LLm八股合集(五)",  # 1
    "需要注意的是,大模型LLM的具体架构可能会因不同的研究和应用而有所不同。上述介绍的是一种常见的架构,但实际应用中可能会有一些变体或改进。",  # 26
    "",  # 27
    "LLMs复读机问题",  # 28
    "",  # 29
    "  • 什么是 LLMs 复读机问题?",  # 30
    "",  # 31
    "LLMs复读机问题(LLMs Parroting Problem)是指大型语言模型在生成文本时过度依赖输入文本的复制,而缺乏创造性和独特性。当面对一个问题或指令时,模型可能会简单地复制输入文本的一部分或全部内容,并将其作为生成的输出,而不是提供有意义或新颖的回应。",  # 32
    "",  # 33
    "  • 为什么会出现 LLMs 复读机问题?",  # 34
    "",  # 35
    "数据偏差:大型语言模型通常是通过预训练阶段使用大规模无标签数据进行训练的。如果训练数据中存在大量的重复文本或者某些特定的句子或短语出现频率较高,模型在生成文本时可能会倾向于复制这些常见的模式。",  # 36
    "需要注意的是,缓解LLMs复读机问题是一个复杂的任务,没有一种通用的解决方案。不同的方法可能适用于不同的场景和任务,需要根据具体情况进行选择和调整。此外,解决复读机问题还需要综合考虑数据、训练目标、模型架构和生成策略等多个因素,需要进一步的研究和实践来提高大型语言模型的生成文本多样性和创造性。",  # 59
    "",  # 60
    "LLMs输入句子长度理论上可以无限长吗?",  # 61
    "",  # 62
    "理论上来说,LLMs(大型语言模型)可以处理任意长度的输入句子,但实际上存在一些限制和挑战。下面是一些相关的考虑因素:",  # 63
]
EXCERPT_004 = [
    "# 大模型(LLMs)面试经验",  # 1
    "## 大模型（LLMs）langchain 面",  # 97
    "",  # 98
    "### 1、 什么是 LangChain?",  # 99
    "LangChain是一个强大的框架，旨在帮助开发人员使用语言模型构建端到端的应用程序。它提供了一套工具、组件和接口，可简化创建由大型语言模型 (LLM) 和聊天模型提供支持的应用程序的过程。LangChain 可以轻松管理与语言模型的交互，将多个组件链接在一起，并集成额外的资源，例如 API 和数据库。",  # 100
    "",  # 101
    "",  # 102
    "",  # 103
    "###2、 LangChain 包含哪些 核心概念？",  # 104
    "2.1 LangChain 中 Components and Chains 是什么？",  # 105
    "Component ：模块化的构建块，可以组合起来创建强大的应用程序；",  # 106
    "8.4 LangChain 如何Embedding & vector store？",  # 270
    "Emebdding这个过程想必大家很熟悉，简单理解就是把现实中的信息通过各类算法编码成一个高维向量，便于计算机快速计算。",  # 271
    "",  # 272
    "DL的语言模型建模一般开头都是word embedding，看情况会加position embedding。比如咱们的LLM的建模",  # 273
    "常规检索一般是把refernce数据都先Embedding入库，服务阶段query进来Embedding后再快速在库中查询相似topk。比如langchain-chatGLM的本地知识库QA系统的入库和检测过程。",  # 274
    "多模态的方案：同时把语音，文字，图片用不同的模型做Embedding后，再做多模态的模型建模和多模态交互。比如这两天的Visual-chatGLM.",  # 275
    "#官方示例代码，用的OpenAI的ada的文本Embedding模型",  # 276
    "#1） Embeding model",  # 277
    "```python",  # 278
    "```",  # 294
    "",  # 295
    "# 3)入库检索，官方使用的Pinecone,他提供一个后台管理界面 | 用户需求太大，不好用了已经，一直加载中....",  # 296
    "### 9、LangChain 存在哪些问题及方法方案？",  # 344
    "1. LangChain 低效的令牌使用问题",  # 345
    "问题：Langchain的一个重要问题是它的令牌计数功能，对于小数据集来说，它的效率很低。虽然一些开发人员选择创建自己的令牌计数函数，但也有其他解决方案可以解决这个问题。",  # 346
    "解决方案：Tiktoken是OpenAI开发的Python库，用于更有效地解决令牌计数问题。它提供了一种简单的方法来计算文本字符串中的令牌，而不需要使用像Langchain这样的框架来完成这项特定任务。",  # 347
    "2. LangChain 文档的问题",  # 348
    "### 10、LangChain 行为不一致并且隐藏细节问题",  # 355
    "问题：LangChain因隐藏重要细节和行为不一致而受到批评，这可能导致生产系统出现意想不到的问题。",  # 356
    "eg: Langchain ConversationRetrievalChain的一个有趣的方面，它涉及到输入问题的重新措辞。这种重复措辞有时会非常广泛，甚至破坏了对话的自然流畅性，使对话脱离了上下文。",  # 357
    "",  # 358
    "LangChain 缺乏标准的可互操作数据类型问题",  # 359
    "问题：缺乏表示数据的标准方法。这种一致性的缺乏可能会阻碍与其他框架和工具的集成，使其在更广泛的机器学习工具生态系统中工作具有挑战性。",  # 360
    "LangChain 替代方案？",  # 361
    "是否有更好的替代方案可以提供更容易使用、可伸缩性、活动性和特性。",  # 362
]


def _headings(excerpt: list[str]) -> list[tuple[str, int]]:
    lines = clean_lines(split_lines("\n".join(excerpt)))
    found = detect_headings(lines)
    # The first line is the file title; the pipeline consumes it separately.
    return [(found[i].title, found[i].level) for i in sorted(found) if i > 0]


def test_000_level_from_numbering_not_hash_count() -> None:
    assert _headings(EXCERPT_000) == [
        ("为何现在的大模型大部分是Decoder only结构", 2),
        ("LLMs复读机问题", 2),
        ("4.1 什么是 LLMs 复读机问题？", 3),
        ("4.2 为什么会出现 LLMs 复读机问题？", 3),
        ("4.3 如何缓解 LLMs 复读机问题？", 3),  # `## 4.3` under `#### 4.1`
    ]


def test_001_bare_titles_roman_nested_restart_and_bullets() -> None:
    assert _headings(EXCERPT_001) == [
        ("进阶面", 1),
        ("LLMs 复读机问题", 2),
        ("什么是 LLMs 复读机问题？", 3),
        ("LangChain 存在哪些问题及方法方案?", 2),
        ("LangChain 低效的令牌使用问题", 3),  # numbering restarts under an empty "9."
        ("LoRA 系列篇", 1),
        ("一、LoRA篇", 2),
        ("1.1 什么是 LoRA?", 3),
        ("1.2 LoRA 的思路是什么？", 3),
        ("旋转位置编码 RoPE篇", 2),
        ("4.1 旋转位置编码 RoPE 思路是什么？", 3),
        ("4.2 推导一下 旋转位置编码 RoPE ？", 3),
        ("4.3 旋转位置编码 RoPE 有什么优点？", 3),
    ]


def test_002_q_bullets_and_nested_answers() -> None:
    assert _headings(EXCERPT_002) == [
        ("语言模型的工作机理是什么?", 2),
        ("RLHF过程中RM随着训练过程得分越来越高, 效果就一定好吗? 有没有极端情况?", 2),
        ("解释P-tuning 的工作原理, 并说明它与传统的 fine-tuning方法的不同之处.", 2),
        ("大模型涌现是什么?", 2),
    ]


def test_003_bare_lines_and_dot_bullets() -> None:
    assert _headings(EXCERPT_003) == [
        ("LLMs复读机问题", 1),
        ("什么是 LLMs 复读机问题?", 2),
        ("为什么会出现 LLMs 复读机问题?", 2),
        ("LLMs输入句子长度理论上可以无限长吗?", 1),
    ]


def test_004_no_space_hash_sub_questions_and_comment_lines() -> None:
    assert _headings(EXCERPT_004) == [
        ("大模型（LLMs）langchain 面", 1),
        ("什么是 LangChain?", 2),
        ("LangChain 包含哪些 核心概念？", 2),  # `###2、` without a space
        ("2.1 LangChain 中 Components and Chains 是什么？", 3),
        ("8.4 LangChain 如何Embedding & vector store？", 3),
        # `#官方示例代码…`, `#1） Embeding model` and `# 3)入库检索…` are comments, not headings
        ("LangChain 存在哪些问题及方法方案？", 2),
        ("LangChain 低效的令牌使用问题", 3),
        ("LangChain 文档的问题", 3),
        ("LangChain 行为不一致并且隐藏细节问题", 2),
        ("LangChain 缺乏标准的可互操作数据类型问题", 2),
        ("LangChain 替代方案？", 2),
    ]


def test_answer_items_are_not_headings() -> None:
    # 001:302 and 000:267, answer items in `N. 名称：说明` form
    assert (
        classify("1. 数据偏差：大型语言模型通常是通过预训练阶段使用大规模无标签数据进行训练的。")
        is None
    )
    assert classify("1. 消除梯度消失和爆炸：在深度神经网络中，梯度消失和爆炸问题是常见的") is None
    # 001:1085 reads like a title and is one
    assert classify("1. LangChain 低效的令牌使用问题") is not None


def test_sections_carry_file_title_and_ancestors() -> None:
    lines = clean_lines(split_lines("\n".join(EXCERPT_001)))
    sections = build_sections("001_c14bfeaf169b6fab.txt", lines)
    paths = [s.path for s in sections if s.heading is not None]
    assert paths[2] == ("大模型面试经验", "进阶面", "LLMs 复读机问题", "什么是 LLMs 复读机问题？")
    rope = next(s for s in sections if s.path[-1].startswith("4.2 推导一下"))
    assert rope.body_text == ""


def test_a_bullet_over_a_tip_paragraph_is_a_sub_question() -> None:
    # 001:1270-1281: "- X" over a "💡" paragraph is how this note puts its questions, and three
    # of them have no question mark; as list items they stayed inside the section before them
    excerpt = [
        "大模型面试经验",
        "- Peft 和 全量微调区别？",
        "",
        "💡 PEFT (Performance Estimation for Fine-Tuning) 和全量微调 (Full Fine-Tuning) 是两种不同的微调方法，它们在性能估计和实际微调过程中的使用方式和结果有所不同。",
        "",
        "1. 时间和计算开销：全量微调需要在完整数据集上进行训练和调优，耗费大量时间和计算资源。",
        "- 多种不同的高效微调方法对比",
        "",
        "💡 在高效微调方法中，有几种常见的方法可以比较，包括迁移学习、知识蒸馏和网络剪枝。下面是对这些方法的简要比较：",
        "- 冻结层：在微调过程中，可以选择冻结预训练模型的一部分层。",
    ]
    assert _headings(excerpt) == [("Peft 和 全量微调区别？", 2), ("多种不同的高效微调方法对比", 2)]
