"""service/wiring.py builds the parts once for the app and for eval; the pipeline hands out
typed events and raises domain errors, and closing the parts closes the generator."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from contract.ask import AskRequest
from core.errors import GeneratorBusy, GeneratorTimeout, GeneratorUnavailable, WithSources
from service.events import DoneEvent, ErrorEvent, SourcesEvent, TokenEvent
from service.streaming import event_data
from service.wiring import wire
from tests.service.conftest import ON_TOPIC, FakeGenerator, fake_loader, make_settings


async def _events(index_dir: Path, gen: FakeGenerator, **overrides: Any) -> list[Any]:
    parts = wire(make_settings(index_dir, **overrides), generator=gen, retriever_loader=fake_loader)
    await asyncio.to_thread(parts.holder.load_initial)
    pipeline = parts.pipeline()
    try:
        plan = await pipeline.plan(AskRequest(question=ON_TOPIC))
        ticket = pipeline.admit(plan)
        return [ev async for ev in pipeline.events(plan, ticket, "rid-1")]
    finally:
        await parts.aclose()


def test_the_pipeline_yields_typed_events_and_the_parts_close_the_generator(
    index_dir: Path,
) -> None:
    gen = FakeGenerator(piece=3)
    events = asyncio.run(_events(index_dir, gen))
    first, *tokens, last = events
    assert isinstance(first, SourcesEvent) and first.request_id == "rid-1" and first.sources
    assert tokens and all(isinstance(t, TokenEvent) for t in tokens)
    assert isinstance(last, DoneEvent) and last.response.request_id == "rid-1"
    assert [c.n for c in last.response.citations] == [1]
    assert gen.closed and gen.released  # the stream, then the generator itself
    # rendering is the edge's: the SSE names and bodies /ask documents
    assert event_data(first)[0] == "sources" and event_data(tokens[0]) == (
        "token",
        {"text": tokens[0].text},
    )


def test_a_failing_stream_is_an_error_event_with_the_domain_error(index_dir: Path) -> None:
    gen = FakeGenerator(error=GeneratorTimeout("too slow"), fail_after=1)
    events = asyncio.run(_events(index_dir, gen))
    last = events[-1]
    assert isinstance(last, ErrorEvent) and isinstance(last.error, GeneratorTimeout)
    assert last.sources == events[0].sources
    name, body = event_data(last)
    assert name == "error" and body["error"]["code"] == "generator_timeout"
    assert [s["n"] for s in body["sources"]] == [s.n for s in last.sources]


def test_an_unexpected_stream_error_is_an_internal_error_event(index_dir: Path) -> None:
    gen = FakeGenerator(error=RuntimeError("secret /work/ detail"), fail_after=0)
    last = asyncio.run(_events(index_dir, gen))[-1]
    assert isinstance(last, ErrorEvent)
    assert (last.error.code, str(last.error)) == ("internal_error", "internal server error")


async def _answer_failing(index_dir: Path) -> None:
    parts = wire(
        make_settings(index_dir),
        generator=FakeGenerator(error=GeneratorUnavailable("down")),
        retriever_loader=fake_loader,
    )
    await asyncio.to_thread(parts.holder.load_initial)
    pipeline = parts.pipeline()
    try:
        await pipeline.answer(await pipeline.plan(AskRequest(question=ON_TOPIC)), "rid-2")
    finally:
        await parts.aclose()


def test_the_json_path_raises_the_domain_error_with_the_sources(index_dir: Path) -> None:
    with pytest.raises(WithSources) as caught:
        asyncio.run(_answer_failing(index_dir))
    assert isinstance(caught.value.error, GeneratorUnavailable) and caught.value.sources


def test_a_full_queue_is_refused_before_retrieval(index_dir: Path) -> None:
    async def run() -> None:
        parts = wire(
            make_settings(index_dir, max_queue=0),
            generator=FakeGenerator(),
            retriever_loader=fake_loader,
        )
        pipeline = parts.pipeline()
        pipeline.limiter.reserve()  # the one slot is taken
        try:
            with pytest.raises(GeneratorBusy):
                await pipeline.plan(AskRequest(question=ON_TOPIC))
        finally:
            await parts.aclose()
        sample = {"code": "generator_busy"}
        assert parts.metrics.registry.get_sample_value("notesqa_generator_errors_total", sample)

    asyncio.run(run())


def test_the_app_closes_its_generator_on_shutdown(app_factory) -> None:
    with app_factory() as (client, gen):
        assert client.get("/healthz").status_code == 200
        assert not gen.released
    assert gen.released
