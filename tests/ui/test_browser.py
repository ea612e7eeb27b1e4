"""The real page in headless Chromium: `streamlit run ui/app.py` against the fake API.

Needs Debian's chromium and chromium-driver (`apt-get install -y chromium chromium-driver`,
plus fonts-wqy-microhei for Chinese glyphs in screenshots). Without them this test fails,
on purpose: a skipped browser test would hide that nobody looked at the page.
Set NOTESQA_UI_SCREENSHOT=docs/ui.png to also save the README's screenshot.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.ui.fake_api import FakeApiServer, create_fake_api, free_port

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
INSTALL = "apt-get update && apt-get install -y chromium chromium-driver fonts-wqy-microhei"
pytestmark = pytest.mark.timeout(240)


def _wait(check: Callable[[], object], timeout_s: float, what: str) -> object:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout_s:g} s waiting for {what}")


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


@pytest.fixture
def slow_api() -> Iterator[FakeApiServer]:
    with FakeApiServer(create_fake_api(token_delay_s=0.4)) as server:
        yield server


@pytest.fixture
def ui_url(slow_api: FakeApiServer, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "NOTESQA_API_URL": slow_api.url}
    env.pop("NOTESQA_API_KEY", None)
    cmd = [
        sys.executable, "-m", "streamlit", "run", "ui/app.py",
        "--server.headless", "true", "--server.port", str(port),
        "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    log = tmp_path / "streamlit.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not _healthy(f"{url}/_stcore/health"):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"streamlit did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not shutil.which(p)]
    if missing:
        pytest.fail(f"{', '.join(missing)} not found: install with `{INSTALL}`", pytrace=False)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1280,1800", "--lang=zh-CN",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):  # fmt: skip
        opts.add_argument(flag)
    service = Service(CHROMEDRIVER, log_output=str(tmp_path / "chromedriver.log"))
    driver = webdriver.Chrome(options=opts, service=service)
    try:
        yield driver
    finally:
        driver.quit()


def test_chat_in_a_real_browser(ui_url: str, browser: object, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.remote.webdriver import WebDriver

    assert isinstance(browser, WebDriver)
    d = browser
    d.get(ui_url)

    def body() -> str:
        return str(d.find_element(By.TAG_NAME, "body").text)

    def ask(question: str) -> None:
        box = _wait(
            lambda: d.find_elements(By.CSS_SELECTOR, "textarea[data-testid=stChatInputTextArea]"),
            60,
            "the chat input",
        )
        box[0].send_keys(question)  # type: ignore[index]
        box[0].send_keys(Keys.ENTER)  # type: ignore[index]

    _wait(lambda: "Ready" in body() and "fake-vllm" in body(), 60, "the sidebar's service info")
    ask("LoRA 的原理是什么？")
    # Tokens arrive one by one: the half-written answer, with its cursor, shows before the end.
    _wait(lambda: "LoRA 在原权重旁" in body() and "▌" in body(), 30, "a partial answer")
    _wait(lambda: "Sources (1)" in body(), 30, "the sources under the answer")
    text = body()
    assert "这两个小矩阵" in text and "▌" not in text
    assert "003_lora.txt" in text and "参数高效微调 › LoRA 的原理是什么？" in text
    assert "fake-qwen-0.5b" in text  # the model in use, in the sidebar and under the answer
    highlights = d.find_elements(By.CSS_SELECTOR, "[data-testid=stMarkdownContainer] span")
    assert any("加入两个低秩矩阵" in h.text for h in highlights), "cited text not highlighted"
    d.save_screenshot(str(tmp_path / "answer.png"))

    ask("明天天气如何？")
    _wait(lambda: "The notes don't cover this" in body(), 30, "the refusal")
    warning = d.find_elements(By.CSS_SELECTOR, "[data-testid=stAlertContentWarning]")
    assert warning and "资料中没有相关信息" in warning[-1].text  # a refusal is a warning box
    _wait(lambda: "Closest passages found anyway (2)" in body(), 30, "the closest passages")
    time.sleep(0.5)  # let the last repaint settle before the picture
    d.save_screenshot(str(tmp_path / "refusal.png"))
    if target := os.environ.get("NOTESQA_UI_SCREENSHOT"):
        d.save_screenshot(str(ROOT / target))

    ask("html 会被执行吗？")
    _wait(lambda: "模型说" in body() and "Sources (1)" in body().split("模型说")[-1], 30, "2nd")
    assert "<script>alert('pwned')</script>" in body()  # shown as text
    scripts = d.find_elements(By.XPATH, "//script[contains(., 'pwned')]")
    assert scripts == [], "model text became a <script> element"
    # "[link](url)" stays text; only the bare URL inside may be autolinked (GFM, http only).
    assert "[link](" in body()
    assert all(a.text != "link" for a in d.find_elements(By.TAG_NAME, "a")), "markdown link"
    assert "Traceback" not in body()
    d.save_screenshot(str(tmp_path / "html.png"))
