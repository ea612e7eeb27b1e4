"""The documents client and the 文档 page (AppTest) against the real API on a socket, with the
hashing fake embedder (the real-embedder path is in test_browser_documents.py)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from contract.documents import DocumentOut, JobAccepted
from core.settings import Settings
from service.app import create_app
from tests.service.conftest import FakeGenerator, LiveServer, build, fake_loader, make_settings
from ui.client import ApiError, ClientSettings
from ui.documents_client import DocumentsClient

NOTE = "# 笔记\n\n## 1. 什么是 Zorbex？\n\nZorbex 是一种随机冻结注意力头的正则化方法。\n"
PAGE = """
from ui.documents_page import documents_page
documents_page()
"""
pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def api(small_corpus: Path, tmp_path: Path) -> Iterator[str]:
    build(small_corpus, tmp_path / "index")
    settings = make_settings(tmp_path / "index", corpus_dir=small_corpus)
    app = create_app(settings, generator=FakeGenerator(), retriever_loader=fake_loader)
    with LiveServer(app) as server:
        yield server.url


def _done(client: DocumentsClient, job_id: str) -> str:
    deadline = time.monotonic() + 60
    while (job := client.job(job_id)).status not in ("done", "failed", "interrupted"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return job.status


def test_client_upload_list_delete(api: str) -> None:
    client = DocumentsClient(ClientSettings.from_settings(Settings(api_url=api)))
    out = client.upload("z.md", NOTE.encode())
    assert isinstance(out, JobAccepted) and _done(client, out.job_id) == "done"
    docs = {d.doc_id: d for d in client.documents().documents}
    assert docs["z.md"].source == "upload" and docs["z.md"].chunks >= 1
    again = client.upload("z.md", NOTE.encode())
    assert isinstance(again, DocumentOut) and again.doc_id == "z.md"
    with pytest.raises(ApiError, match="replace=true") as conflict:
        client.upload("z.md", b"# other\n\nother text entirely, long enough to index.\n")
    assert conflict.value.status == 409
    with pytest.raises(ApiError, match="not a PDF") as wrong:
        client.upload("x.pdf", NOTE.encode())
    assert wrong.value.status == 415
    assert _done(client, client.delete("z.md").job_id) == "done"
    assert "z.md" not in {d.doc_id for d in client.documents().documents}
    with pytest.raises(ApiError) as missing:
        client.delete("z.md")
    assert missing.value.status == 404


def test_client_says_when_the_api_is_down() -> None:
    client = DocumentsClient(ClientSettings.from_settings(Settings(api_url="http://127.0.0.1:9")))
    with pytest.raises(ApiError, match="Can't reach"):
        client.documents()


def test_page_lists_and_deletes_after_confirmation(
    api: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = DocumentsClient(ClientSettings.from_settings(Settings(api_url=api)))
    assert _done(client, client.upload("z.md", NOTE.encode()).job_id) == "done"  # type: ignore[union-attr]
    monkeypatch.setenv("NOTESQA_API_URL", api)
    at = AppTest.from_string(PAGE, default_timeout=60).run()
    assert not at.exception, at.exception
    text = re.sub(r"\\(.)", r"\1", "\n".join(m.value for m in at.markdown))  # unescape
    assert "z.md" in text and "a.md" in text
    deletes = [b for b in at.button if b.label == "删除"]
    assert len(deletes) == 1  # shipped files can't be deleted here
    deletes[0].click().run()
    assert "确定删除" in "\n".join(w.value for w in at.warning)
    assert "z.md" in {d.doc_id for d in client.documents().documents}  # not before confirming
    next(b for b in at.button if b.label == "确认删除").click().run()
    assert not at.exception, at.exception
    assert "已删除" in "\n".join(s.value for s in at.success)
    assert "z.md" not in {d.doc_id for d in client.documents().documents}
