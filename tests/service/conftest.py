"""The real app over a real small index (fake embedder), with scripted fake generators."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.retrieval import open_retriever
from core.settings import Settings
from ingest.build import build_index
from service.app import create_app
from service.generators.base import GenerationRequest, estimate_tokens
from tests.fakes import CountingHashEmbedder

# With the hash embedder, on-topic questions score cosine > 0.55 or BM25 > 3 on their top
# hit and "如何做红烧肉" scores 0.33 / 1.1; real thresholds are calibrated on the dev set.
TEST_GATE = {
    "gate_min_dense_cjk": 0.5,
    "gate_min_dense_latin": 0.5,
    "gate_min_coverage": 0.0,
    "gate_min_bm25": 2.5,
}
ON_TOPIC = "prefix LM 和 causal LM 的区别是什么？"
OFF_TOPIC = "如何做红烧肉"


class FakeGenerator:
    """Scripted replies; counts calls; streams in pieces, optionally slowly; records closing."""

    name = "fake"
    model = "fake-model"

    def __init__(
        self,
        reply: str = "Prefix LM 对前缀双向注意力[1]。",
        *,
        error: Exception | None = None,
        fail_after: int | None = None,
        piece: int = 4,
        delay_s: float = 0.0,
        context_window: int = 4096,
        check_error: Exception | None = None,
    ) -> None:
        self.reply = reply
        self.error = error
        self.fail_after = fail_after  # stream: raise `error` after this many pieces
        self.piece = piece
        self.delay_s = delay_s
        self.context_window = context_window
        self.check_error = check_error
        self.calls = 0
        self.requests: list[GenerationRequest] = []
        self.yielded = 0
        self.closed = False
        self.finished = False
        self.released = False  # aclose(): the app let go of the generator

    def _record(self, req: GenerationRequest) -> None:
        self.calls += 1
        self.requests.append(req)

    async def complete(self, req: GenerationRequest) -> str:
        self._record(req)
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if self.error is not None:
            raise self.error
        return self.reply

    async def stream(self, req: GenerationRequest) -> AsyncIterator[str]:
        self._record(req)
        try:
            if self.error is not None and self.fail_after is None:
                raise self.error
            pieces = [self.reply[i : i + self.piece] for i in range(0, len(self.reply), self.piece)]
            for i, p in enumerate(pieces):
                if self.fail_after is not None and i == self.fail_after and self.error:
                    raise self.error
                if self.delay_s:
                    await asyncio.sleep(self.delay_s)
                self.yielded += 1
                yield p
            self.finished = True
        finally:
            self.closed = True

    async def check(self) -> None:
        if self.check_error is not None:
            raise self.check_error

    def count_tokens(self, text: str) -> int:
        return estimate_tokens(text)

    async def aclose(self) -> None:
        self.released = True


def fake_loader(settings: Settings) -> Any:
    return open_retriever(settings, CountingHashEmbedder())


def build(corpus: Path, index: Path) -> str:
    s = Settings(corpus_dir=corpus, index_dir=index)
    return build_index(s, embedder_factory=CountingHashEmbedder, progress=False).version


@pytest.fixture
def index_dir(small_corpus: Path, tmp_path: Path) -> Path:
    index = tmp_path / "index"
    build(small_corpus, index)
    return index


def make_settings(index_dir: Path, **overrides: Any) -> Settings:
    return Settings(index_dir=index_dir, **{**TEST_GATE, **overrides})


@contextmanager
def running_app(
    index_dir: Path, generator: Any | None = None, **overrides: Any
) -> Iterator[tuple[TestClient, FakeGenerator]]:
    gen = generator if generator is not None else FakeGenerator()
    app = create_app(
        make_settings(index_dir, **overrides), generator=gen, retriever_loader=fake_loader
    )
    with TestClient(app) as client:
        assert app.state.holder.first_attempt.wait(30), "index did not load"
        yield client, gen


@pytest.fixture
def app_factory(
    index_dir: Path,
) -> Callable[..., Any]:
    """`with app_factory(generator, **settings) as (client, gen):`"""

    def make(generator: Any | None = None, **overrides: Any) -> Any:
        return running_app(index_dir, generator, **overrides)

    return make


def parse_sse(text: str) -> list[tuple[str, dict[str, Any]]]:
    events = []
    for block in text.split("\n\n"):
        if not block.strip():
            continue
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((fields["event"], json.loads(fields["data"])))
    return events


def assert_error(resp: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) <= {"error", "sources"}
    err = body["error"]
    assert set(err) == {"code", "message", "request_id"}
    assert err["request_id"] == resp.headers["x-request-id"]
    if code is not None:
        assert err["code"] == code
    assert "Traceback" not in resp.text and "/work/" not in resp.text
    return body


# Helpers as fixtures: tests/service is not a package, so test modules can't import this file.
@pytest.fixture
def Fake() -> type[FakeGenerator]:  # noqa: N802 - it is a class
    return FakeGenerator


@pytest.fixture
def sse() -> Callable[[str], list[tuple[str, dict[str, Any]]]]:
    return parse_sse


@pytest.fixture
def error_of() -> Callable[..., dict[str, Any]]:
    return assert_error


@pytest.fixture
def on_topic() -> str:
    return ON_TOPIC


@pytest.fixture
def off_topic() -> str:
    return OFF_TOPIC


@pytest.fixture
def rebuild() -> Callable[[Path, Path], str]:
    return build


@pytest.fixture
def loader() -> Callable[[Settings], Any]:
    return fake_loader


class LiveServer:
    """The app served by a real uvicorn on 127.0.0.1 (a free port), in a thread, lifespan on;
    for clients that need a socket (the official `openai` client, subprocess tools)."""

    def __init__(self, app: Any, **options: Any) -> None:
        import socket
        import threading

        import uvicorn

        self.app = app
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = int(self.sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        # `options` (uvicorn.Config's) win; host and port are moot: the socket is bound here
        opts = {"log_level": "warning", "lifespan": "on", "log_config": None, **options}
        cfg = uvicorn.Config(app, **opts)
        self.server = uvicorn.Server(cfg)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]})

    def __enter__(self) -> LiveServer:
        import time

        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                self.__exit__()
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        assert self.app.state.holder.first_attempt.wait(30), "index did not load"
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.sock.close()


@pytest.fixture
def live_app(index_dir: Path) -> Callable[..., Any]:
    """`with live_app(generator, **settings) as srv:` serves the app at srv.url."""

    def make(generator: Any | None = None, **overrides: Any) -> LiveServer:
        gen = generator if generator is not None else FakeGenerator()
        settings = make_settings(index_dir, **overrides)
        return LiveServer(create_app(settings, generator=gen, retriever_loader=fake_loader))

    return make
