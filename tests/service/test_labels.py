"""Sub-headings and lead-in lines kept over the lines they introduce (service/labels.py), on real
corpus lines."""

from __future__ import annotations

from service.compose import compose
from service.evidence import select
from service.labels import is_lead_in, with_lead_ins
from service.section_units import units_of
from service.verdict import lead_with_statement
from tests.service.grounding_data import FILE_004, hit

DECODERS = ("大模型面试题", "2、prefix Decoder 和 causal Decoder 和 Encoder-Decoder 区别是什么？")


def test_a_picked_line_brings_the_line_that_introduces_it() -> None:
    # 004: three architectures written as "X：" lines over plain lines, no list markers
    hits = [hit(FILE_004, 27, 39, DECODERS)]
    units = units_of(1, hits[0], set())
    trait = next(u for u in units if u.text.startswith("特点：prefix部分"))
    assert not is_lead_in(trait)  # "特点：…" says something; "prefix Decoder：" only introduces
    (prefix,) = [u for u in units if u.text == "prefix Decoder："]
    assert is_lead_in(prefix)
    # picked alone, the trait gets its line; one picked already is not added twice
    assert [u.text for u in with_lead_ins([trait], hits)] == ["prefix Decoder：", trait.text]
    assert with_lead_ins([prefix, trait], hits) == (prefix, trait)
    # through the whole answer: the prefix decoder's trait is not read as the causal decoder's
    question = "ChatGLM 用的 prefix decoder 跟 LLaMA 这类 causal decoder 在注意力上有啥不同？"
    text = compose(lead_with_statement(question, hits, select(question, hits))).text
    assert "prefix Decoder[1]：特点：prefix部分的token互相能看到" in text
    # the first line under "Encoder-Decoder：" has its own; no line is added twice
    first = next(u for u in units if u.text.startswith("在输入上采用双向注意力"))
    assert [u.text for u in with_lead_ins([first], hits)] == ["Encoder-Decoder：", first.text]
    assert text.count("prefix Decoder[1]") == 1
