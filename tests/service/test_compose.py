"""Composition: another note's answer gets its own line, which the check keeps as it is."""

from __future__ import annotations

from service.compose import compose
from service.evidence import select
from service.grounding import finish, ground
from service.support import SupportChecker
from tests.service.test_evidence import _alternatives

QUESTION = "LangChain 有没有替代方案？"


def test_another_note_starts_its_own_line_in_the_questions_language() -> None:
    ev = select(QUESTION, list(_alternatives()))
    zh = compose(ev).text.split("\n")
    assert "另一份笔记（大模型面试经验）对同一问题的回答：" in zh  # a line of its own
    assert "LlamaIndex" in zh[-1]
    en = compose(ev, english=True).text
    assert "Another note (大模型面试经验) answers the same question:" in en


def test_the_check_keeps_the_line_and_every_cited_sentence_stays_cited() -> None:
    g = ground(QUESTION, list(_alternatives()))
    final = finish(g, SupportChecker())
    assert "另一份笔记（大模型面试经验）对同一问题的回答：" in final.text
    assert final.cited == (1, 2)
    assert not [v for v in final.removed if v.reason == "uncited"]


def test_the_line_does_not_count_as_a_verified_sentence() -> None:
    final = finish(ground(QUESTION, list(_alternatives())), SupportChecker())
    assert 0.0 < final.support.verified <= 1.0
