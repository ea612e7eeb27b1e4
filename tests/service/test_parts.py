"""A question in several parts: which parts stand alone, and how their searches merge."""

from __future__ import annotations

from core.types import Chunk, Hit
from service.grounding import select_parts
from service.parts import question_parts, search_parts, search_past_retracted, standalone_parts
from tests.service.grounding_data import parroting_causes


def _hit(cid: str, score: float) -> Hit:
    return Hit(Chunk(cid, "a.md", ("笔记", cid), cid, 0, 1), score)


# scripted results per query: what a retriever would return for each text
RESULTS = {
    "QLoRA 的思路是什么？LoRA 本身有哪些局限？": [_hit("both", 0.6), _hit("qlora", 0.5)],
    "QLoRA 的思路是什么？": [_hit("qlora", 0.9), _hit("both", 0.4)],
    "LoRA 本身有哪些局限？": [_hit("lora", 0.95), _hit("other", 0.3)],
}


def _search(text: str, k: int) -> list[Hit]:
    return RESULTS[text][:k]


def test_one_part_is_the_question_itself() -> None:
    assert question_parts("LoRA 的思路是什么？") == ["LoRA 的思路是什么？"]
    # "为什么？" alone is too short to be a part
    assert question_parts("大模型会幻觉。为什么？") == ["大模型会幻觉。为什么？"]
    # the glossary's gloss after the question mark asks nothing of its own
    assert question_parts("为什么大模型会一直重复同一句话？（复读机）") == [
        "为什么大模型会一直重复同一句话？（复读机）"
    ]
    assert question_parts("QLoRA 的思路是什么？LoRA 有哪些局限？（复读机）") == [
        "QLoRA 的思路是什么？",
        "LoRA 有哪些局限？（复读机）",
    ]
    # nor does asking what the notes say: it asks the part before again
    q = "LoRA 会不会把模型原本的能力给丢掉？笔记怎么说？"
    assert question_parts(q) == [q]
    assert question_parts("What is LoRA? And what do the notes say?") == [
        "What is LoRA? And what do the notes say?"
    ]
    # ... but a part that asks about something of its own in the notes is one
    assert len(question_parts("LoRA 是什么？笔记里的 QLoRA 怎么说？")) == 2


def test_a_part_that_names_nothing_reads_with_what_came_before() -> None:
    q = "LLaMA 训练时用了多少 tokens 的语料？中文多吗？"
    assert standalone_parts(q) == ["LLaMA 训练时用了多少 tokens 的语料？", q]
    q = "Tiktoken 是谁开发的？用来解决什么问题？"
    assert standalone_parts(q) == ["Tiktoken 是谁开发的？", q]


def test_a_part_that_names_nothing_is_searched_with_what_the_question_found_first() -> None:
    q = "AI 一本正经地胡说八道，这种现象叫什么？可以分成哪几类？"
    first = "AI 一本正经地胡说八道，这种现象叫什么？"
    assert standalone_parts(q, "什么是大模型幻觉？") == [
        first,
        "什么是大模型幻觉？ 可以分成哪几类？",
    ]
    calls: list[str] = []

    def search(text: str, k: int) -> list[Hit]:
        calls.append(text)
        found = Hit(Chunk("h", "a.md", ("笔记", "什么是大模型幻觉？"), "幻觉指的是…", 0, 1), 0.7)
        return [found] if text == q else [_hit(text, 0.5)]

    search_parts(search, q, 3)
    # the whole question first: its first heading is what the second part is about
    assert calls == [q, first, "什么是大模型幻觉？ 可以分成哪几类？"]


def test_parts_with_names_of_their_own_stand_alone() -> None:
    q = "QLoRA 的思路是什么？LoRA 本身有哪些局限？"
    assert standalone_parts(q) == ["QLoRA 的思路是什么？", "LoRA 本身有哪些局限？"]


def test_a_part_in_words_of_its_own_is_searched_alone_as_well() -> None:
    # dev-091: the topic's words ("数据集格式") outweigh the part's; the 10K~100K line answers it
    q = "SFT 数据集一般是什么格式？实际的指令微调语料长什么样、要多少条？"
    part = "实际的指令微调语料长什么样、要多少条？"
    topic = "SFT (有监督微调) 的数据集格式?"
    assert standalone_parts(q, topic) == ["SFT 数据集一般是什么格式？", f"{topic} {part}", part]
    # a part that points back ("两者") means nothing alone, however many words it has
    q = "Top k 和 Top p 有什么区别？两者同时开启的时候谁先生效？"
    assert standalone_parts(q, "Top k") == [
        "Top k 和 Top p 有什么区别？",
        "Top k 两者同时开启的时候谁先生效？",
    ]


def test_the_whole_question_leads_then_each_part_by_rank() -> None:
    q = "QLoRA 的思路是什么？LoRA 本身有哪些局限？"
    hits = search_parts(_search, q, 4)
    # rank 0 of the whole question, then of each part; then rank 1 (without repeats)
    assert [h.chunk.chunk_id for h in hits] == ["both", "qlora", "lora", "other"]


def test_merged_scores_never_rise_down_the_list() -> None:
    q = "QLoRA 的思路是什么？LoRA 本身有哪些局限？"
    scores = [h.score for h in search_parts(_search, q, 4)]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] == 0.6  # the whole question's best keeps its own score


def test_a_one_part_question_is_one_search() -> None:
    calls: list[str] = []

    def search(text: str, k: int) -> list[Hit]:
        calls.append(text)
        return [_hit("x", 0.5)]

    assert [h.chunk.chunk_id for h in search_parts(search, "LoRA 是什么？", 5)] == ["x"]
    assert calls == ["LoRA 是什么？"]


def test_parts_that_pick_the_same_section_say_each_sentence_once() -> None:
    q = "为什么会出现 LLMs 复读机问题？LLMs 复读机问题有哪些原因？"
    texts = [u.text for u in select_parts(q, [parroting_causes()]).units]
    assert texts and len(texts) == len(set(texts))


def _wrong(cid: str, score: float) -> Hit:
    """A passage the notes get wrong as a whole: it gives only the editor's note."""
    chunk = Chunk(cid, "a.md", ("笔记", cid), cid, 0, 1, errata=(("", "编者注"),))
    return Hit(chunk, score)


def test_slots_taken_by_wrong_sections_go_to_the_next_hits_of_a_question_in_parts() -> None:
    q = "Prompt Template 是干什么的？什么时候需要用 Example Selectors？"
    ranked = [_hit("tpl", 0.9), _wrong("sel-1", 0.9), _wrong("sel-2", 0.9), _hit("sel-004", 0.8)]
    ranked += [_hit("far", 0.1)]

    def search(text: str, k: int) -> list[Hit]:
        return ranked[:k]

    hits = search_past_retracted(search, q, 3)
    # the first three keep their numbers; two more, past the wrong ones, follow
    assert [h.chunk.chunk_id for h in hits] == ["tpl", "sel-1", "sel-2", "sel-004", "far"]
    assert hits[3].score <= hits[2].score
    # a whole question: its answer is the editor's note, more hits would only pad it
    one = search_past_retracted(search, "什么时候需要用 Example Selectors？", 3)
    assert [h.chunk.chunk_id for h in one] == ["tpl", "sel-1", "sel-2"]
