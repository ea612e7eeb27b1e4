"""eval's HTTP answerer (`python -m eval.run --url`) against the real app on a socket: both
sides speak the API contract, so what eval records is what the service sent."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from core.errors import GeneratorTimeout
from eval.answers import AnswerRecord, HttpAnswerer
from eval.dataset import EvalItem
from service.app import create_app
from tests.service.conftest import (
    OFF_TOPIC,
    ON_TOPIC,
    FakeGenerator,
    LiveServer,
    build,
    fake_loader,
    make_settings,
)


def _serve(index: Path, generator: FakeGenerator, **settings: object) -> LiveServer:
    app = create_app(
        make_settings(index, **settings), generator=generator, retriever_loader=fake_loader
    )
    return LiveServer(app)


def _ask(url: str, question: str, api_key: str | None = None) -> tuple[AnswerRecord, str]:
    async def run() -> tuple[AnswerRecord, str]:
        async with HttpAnswerer(url, api_key) as answerer:
            rec = await answerer.ask(EvalItem(id="q1", question=question, kind="specific"))
            return rec, answerer.index_version

    return asyncio.run(run())


def test_records_the_streamed_answer_as_the_service_sent_it(
    small_corpus: Path, tmp_path: Path
) -> None:
    index = tmp_path / "index"
    version = build(small_corpus, index)
    with _serve(index, FakeGenerator()) as srv:
        rec, seen_version = _ask(srv.url, ON_TOPIC)
        body = httpx.post(f"{srv.url}/ask", json={"question": ON_TOPIC}, timeout=60).json()
    assert rec.error is None and seen_version == version  # from the X-Index-Version header
    assert (rec.answer, rec.refused, rec.citations) == (
        body["answer"],
        body["refused"],
        [c["n"] for c in body["citations"]],
    )
    assert rec.passages == [s["text"] for s in body["sources"]] and rec.passages
    assert rec.support == body["support"] and rec.removed == [r["text"] for r in body["removed"]]
    assert rec.first_token_ms is not None and rec.retrieve_ms is not None
    assert rec.total_ms is not None and rec.first_token_ms <= rec.total_ms


def test_a_refusal_and_an_error_event_and_an_http_error(small_corpus: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    build(small_corpus, index)
    with _serve(index, FakeGenerator()) as srv:
        refused, _ = _ask(srv.url, OFF_TOPIC)
    assert refused.refused and refused.refusal_reason == "no_evidence"
    assert refused.first_token_ms is None and refused.error is None  # no generated token
    slow = FakeGenerator(error=GeneratorTimeout("no output for 60 s"), fail_after=1)
    with _serve(index, slow, api_key="k") as srv:
        failed, _ = _ask(srv.url, ON_TOPIC, api_key="k")
        denied, _ = _ask(srv.url, ON_TOPIC, api_key="wrong")
    assert failed.error == "generator_timeout: no output for 60 s"  # the stream's error event
    assert denied.error is not None and denied.error.startswith("HTTP 401")
