"""Run questions through the real answering pipeline and record what came back.

In-process (default) builds the same AskPipeline the service builds, and drives its streaming
path, so the first token is timed exactly as a client would see it. `--url` asks a running
service instead (POST /ask with stream=true). Answers are cached by question id + a hash of
everything that shapes an answer, so a rerun after a crash resumes where it stopped.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

import httpx
from pydantic import BaseModel
from tqdm import tqdm

from contract.ask import INDEX_HEADER, AskRequest, AskResponse, StreamEvent
from contract.errors import ErrorResponse
from contract.sse import SseReader
from core.errors import IndexNotReady
from core.settings import Settings
from eval.dataset import EvalItem
from service.events import DoneEvent, ErrorEvent, TokenEvent
from service.generators.base import Generator
from service.index_holder import RetrieverLoader
from service.pipeline import AskPipeline
from service.wiring import wire

# Fields that cannot change an answer: left out of the settings hash.
_NOT_ANSWER_SHAPING = {"host", "port", "api_key", "max_body_bytes", "reload_check_s", "judge"}
PROMPTS_DIR = Path(__file__).resolve().parent.parent / "service" / "prompts"


class AnswerRecord(BaseModel):
    id: str
    kind: str
    question: str
    answer: str = ""
    refused: bool = False
    refusal_reason: str | None = None
    passages: list[str] = []  # what the generator was given, by citation number - 1
    citations: list[int] = []
    gate: dict[str, float] = {}  # the gate's features (in-process only)
    retrieve_ms: float | None = None
    first_token_ms: float | None = None  # None when no generation ran (gate refusal)
    total_ms: float | None = None
    error: str | None = None
    settings_hash: str = ""
    # the grounded-answer fields of the `done` event (absent from older caches)
    support: dict[str, Any] | None = None
    removed: list[str] = []  # draft sentences the support check dropped
    missing_terms: list[str] = []


def settings_hash(settings: Settings, extra: dict[str, Any]) -> str:
    """Everything that shapes an answer: settings, generator, index version, prompt files."""
    dump = json.loads(settings.model_dump_json())
    blob: dict[str, Any] = {k: v for k, v in dump.items() if k not in _NOT_ANSWER_SHAPING}
    blob.update(extra)
    if PROMPTS_DIR.is_dir():
        blob["prompts"] = {p.name: p.read_text(encoding="utf-8") for p in PROMPTS_DIR.iterdir()}
    text = json.dumps(blob, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class Answerer(Protocol):
    async def ask(self, item: EvalItem) -> AnswerRecord: ...


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


class InProcessAnswerer:
    """The service's own pipeline, wired by service/wiring.py exactly as the app wires it."""

    def __init__(
        self,
        settings: Settings,
        generator: Generator | None = None,
        loader: RetrieverLoader | None = None,
    ) -> None:
        self.settings = settings
        self.parts = wire(settings, generator=generator, retriever_loader=loader)
        self.generator = self.parts.generator
        self.holder = self.parts.holder
        self.pipeline: AskPipeline | None = None

    async def __aenter__(self) -> InProcessAnswerer:
        await asyncio.to_thread(self.holder.load_initial)
        self.holder.get()  # IndexNotReady with the reason when there is no index
        await self.generator.check()  # fail now, not on every question (GeneratorUnavailable)
        self.pipeline = self.parts.pipeline()
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.parts.aclose()

    @property
    def index_version(self) -> str:
        return self.holder.version or ""

    async def ask(self, item: EvalItem) -> AnswerRecord:
        rec = AnswerRecord(id=item.id, kind=item.kind, question=item.question)
        t0 = time.perf_counter()
        assert self.pipeline is not None, "use `async with InProcessAnswerer(...)`"
        plan = await self.pipeline.plan(AskRequest(question=item.question))
        rec.retrieve_ms = _ms(plan.retrieve_s)
        rec.gate = {k: float(v) for k, v in plan.gate.features.items()}
        # [n] cites sources[n - 1], the passages the evidence was selected from
        rec.passages = [s.text for s in plan.sources] if not plan.refused else []
        ticket = self.pipeline.admit(plan)
        # The pipeline's typed events, not SSE text: nothing to render and parse back.
        events = self.pipeline.events(plan, ticket, uuid.uuid4().hex)
        try:
            async for ev in events:
                if isinstance(ev, TokenEvent):
                    if rec.first_token_ms is None and not plan.refused:
                        rec.first_token_ms = _ms(time.perf_counter() - t0)
                elif isinstance(ev, DoneEvent):
                    _take_done(rec, ev.response)
                elif isinstance(ev, ErrorEvent):
                    rec.error = f"{ev.error.code}: {str(ev.error) or ev.error.code}"
        finally:
            await events.aclose()
            if ticket is not None:
                ticket.release()
        rec.total_ms = _ms(time.perf_counter() - t0)
        return rec


def _take_done(rec: AnswerRecord, answer: AskResponse) -> None:
    rec.answer = answer.answer or ""
    rec.refused = answer.refused
    rec.refusal_reason = answer.refusal_reason
    rec.citations = [c.n for c in answer.citations]
    rec.support = answer.support.model_dump() if answer.support is not None else None
    rec.removed = [r.text for r in answer.removed]
    rec.missing_terms = list(answer.missing_terms)


class HttpAnswerer:
    """A running service: POST {url}/ask as SSE; passages are the `sources` it answered from.
    The bodies and the stream's framing are the API contract's (contract/), as the UI reads them."""

    def __init__(self, url: str, api_key: str | None = None, timeout_s: float = 600) -> None:
        self.url = url.rstrip("/")
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = httpx.AsyncClient(timeout=timeout_s, headers=headers)
        self.index_version = ""

    async def __aenter__(self) -> HttpAnswerer:
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.client.aclose()

    async def ask(self, item: EvalItem) -> AnswerRecord:
        rec = AnswerRecord(id=item.id, kind=item.kind, question=item.question)
        body = AskRequest(question=item.question, stream=True).model_dump(exclude_none=True)
        t0 = time.perf_counter()
        try:
            async with self.client.stream("POST", f"{self.url}/ask", json=body) as resp:
                if resp.status_code >= 400:
                    text = (await resp.aread()).decode("utf-8", "replace")[:300]
                    rec.error = f"HTTP {resp.status_code}: {text}"
                    return rec
                self.index_version = resp.headers.get(INDEX_HEADER, self.index_version)
                reader = SseReader()
                async for line in resp.aiter_lines():
                    if (frame := reader.feed(line)) is not None:
                        self._on_event(rec, frame[0], json.loads(frame[1]), t0)
        except httpx.HTTPError as exc:
            rec.error = f"{type(exc).__name__}: {exc}"
        rec.total_ms = _ms(time.perf_counter() - t0)
        return rec

    def _on_event(self, rec: AnswerRecord, name: str, data: Any, t0: float) -> None:
        if name == StreamEvent.TOKEN and rec.first_token_ms is None:
            rec.first_token_ms = _ms(time.perf_counter() - t0)
        elif name == StreamEvent.DONE:
            answer = AskResponse.model_validate(data)
            _take_done(rec, answer)
            rec.retrieve_ms = answer.timings_ms.retrieve
            if rec.refused and rec.refusal_reason == "no_evidence":
                rec.first_token_ms = None  # the canned refusal is not a generated token
            else:
                rec.passages = [s.text for s in answer.sources]
        elif name == StreamEvent.ERROR:
            err = ErrorResponse.model_validate(data).error
            rec.error = f"{err.code}: {err.message}"


class AnswerCache:
    """DIR/cache/answers.jsonl: one line per finished answer, keyed by (id, settings hash)."""

    def __init__(self, path: Path | None, key: str) -> None:
        self.path = path
        self.key = key
        self.done: dict[str, AnswerRecord] = {}
        if path is not None and path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    rec = AnswerRecord.model_validate_json(line)
                except ValueError:
                    continue  # a line cut short by a crash
                if rec.settings_hash == key and rec.error is None:
                    self.done[rec.id] = rec

    def add(self, rec: AnswerRecord) -> None:
        rec.settings_hash = self.key
        if rec.error is not None:  # retried on the next run
            return
        self.done[rec.id] = rec
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(rec.model_dump_json() + "\n")


async def answer_all(
    items: Sequence[EvalItem], answerer: Answerer, cache: AnswerCache, progress: bool = True
) -> list[AnswerRecord]:
    """One question at a time (a CPU box generates one answer well, two badly)."""
    out: list[AnswerRecord] = []
    bar = tqdm(items, desc="answers", unit="q", file=sys.stderr, disable=not progress)
    for item in bar:
        cached = cache.done.get(item.id)
        if cached is not None and cached.question == item.question:
            out.append(cached)
            continue
        try:
            rec = await answerer.ask(item)
        except IndexNotReady:
            raise
        except Exception as exc:  # one failed question must not lose the run
            rec = AnswerRecord(id=item.id, kind=item.kind, question=item.question)
            rec.error = f"{type(exc).__name__}: {exc}"
        cache.add(rec)
        out.append(rec)
    return out
