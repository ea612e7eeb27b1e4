"""/ask, stage by stage: rewrite → retrieve → gate → evidence → generate → check citations.

Stages hand frozen dataclasses to each other, and the pipeline hands typed events
(service/events.py) and domain errors (core/errors.py) to whoever drives it: the API renders
them as JSON, SSE or OpenAI chunks, eval reads them as they are. Timings, counts and the log
line go to an `AskObserver` (service/observer.py). Retrieval runs on the embedder's
thread (embedding a query is CPU work that would stall the event loop); generation is admitted by a
limiter so a CPU box serves `max_concurrency` answers at once and queues a few more, then
says 429.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, cast

from contract.ask import AskRequest, AskResponse
from core.embedders import EMBEDDING_THREAD
from core.errors import GeneratorBusy, GeneratorTimeout, NotesQAError, WithSources
from core.settings import Settings
from core.text import is_english
from core.types import Hit
from service.aspects import MAX_SECTIONS as ASPECT_SECTIONS
from service.aspects import asks_aspect
from service.citations import StreamingCitationFilter, says_not_covered
from service.compose import refusal
from service.events import AskEvent, DoneEvent, ErrorEvent, SourcesEvent, TokenEvent
from service.field_terms import FieldTerms, load_field_terms
from service.gate import EvidenceGate
from service.generators.base import GenerationRequest, Generator
from service.glossary import Glossary, load_glossary, notes_glossary
from service.grounding import evidence_request, finish, ground
from service.index_holder import IndexHolder
from service.keyterms import squash
from service.limiter import GenerationLimiter, Ticket
from service.naming import lookup
from service.observer import AskObserver
from service.parts import search_past_retracted
from service.prompt import PromptBuilder
from service.related import related_for
from service.respond import Outcome, Plan, RefusalReason, source_from_hit, to_response
from service.rewrite import rewrite
from service.sections import TOP, Sections, complete_sections, group_sections
from service.support import SupportChecker


def refusal_sentence(question: str) -> str:
    """The plain "not in the notes", in the question's language."""
    return refusal(is_english(question))


@dataclass(frozen=True)
class IndexFacts:
    """What the pipeline reads off one index version, besides searching it."""

    version: str
    notes: str | None  # the whole text, squashed (keyterms.squash); None: judge by passages
    sections: Sections
    glossary: Glossary  # corpus/glossary.toml and the notes' own English glosses
    unheard: FieldTerms  # the field's concepts the notes never mention
    heard: FieldTerms = FieldTerms()  # ... and those they do, under one of their names
    written: str = ""  # the whole text, lower-cased, as written: the names the notes use


class AskPipeline:
    def __init__(
        self,
        settings: Settings,
        holder: IndexHolder,
        generator: Generator,
        observer: AskObserver,
        limiter: GenerationLimiter,
    ) -> None:
        self.settings = settings
        self.holder = holder
        self.generator = generator
        self.observer = observer
        self.limiter = limiter
        self.gate = EvidenceGate(
            settings.gate_min_dense_cjk,
            settings.gate_min_dense_latin,
            settings.gate_min_coverage,
            settings.gate_min_bm25,
        )
        self.builder = PromptBuilder(
            generator.count_tokens,
            generator.context_window,
            settings.max_answer_tokens,
            settings.prompt_passage_chars,
            settings.temperature,
        )
        self.checker = SupportChecker()
        self.glossary = load_glossary(settings.corpus_dir)
        self.field_terms = load_field_terms(settings.corpus_dir)
        self._index = IndexFacts("", None, {}, self.glossary, FieldTerms())
        # The extractive generator has nothing to add to the extractive composition: with it,
        # the composed evidence is the answer and no generation slot is taken.
        self.use_llm = generator.name != "extractive"

    # --- before generation ----------------------------------------------------------------
    async def search(
        self, question: str, k: int, retriever: Any = None
    ) -> tuple[list[Hit], str, float]:
        # one reference for the whole request: one version
        retriever = retriever or self.holder.get()
        t0 = time.perf_counter()
        # on the embedder's own thread: the query embedding, which is most of a search, runs
        # there anyway (core/embedders.py), so the search costs one thread hop, not two
        run = partial(search_past_retracted, retriever.search, question, k)
        hits = await asyncio.get_running_loop().run_in_executor(EMBEDDING_THREAD, run)
        elapsed = time.perf_counter() - t0
        self.observer.stage("retrieve", elapsed)
        return hits, retriever.version, elapsed

    def index_facts(self, retriever: Any) -> IndexFacts:
        """The index's whole text, squashed, for the key-term check; its sections, to complete
        the hits; the field's concepts it never mentions: built once per version, from the
        retriever that answered the search. A retriever that can't list its chunks: judge by
        the passages, complete nothing, and only corpus/glossary.toml adds terms."""
        if self._index.version != retriever.version:
            chunks = getattr(getattr(retriever, "index", None), "chunks", None)
            if chunks is None:
                return IndexFacts(retriever.version, None, {}, self.glossary, FieldTerms())
            # hollow chunks (bare headings, contents-only topics) never count as coverage
            text = "\n".join(
                " ".join(c.heading_path) + "\n" + c.text for c in chunks if not c.hollow
            )
            terms = self.glossary + notes_glossary(c.text for c in chunks if not c.hollow)
            notes = squash(text)
            unheard = self.field_terms.unheard(text)
            gone = set(unheard.concepts)
            heard = FieldTerms(tuple(c for c in self.field_terms.concepts if c not in gone))
            sections = group_sections(chunks)
            self._index = IndexFacts(
                retriever.version, notes, sections, terms, unheard, heard, text.lower()
            )
        return self._index

    async def plan(self, req: AskRequest) -> Plan:
        try:  # shed overload before spending CPU on retrieval
            self.limiter.ensure_room()
        except GeneratorBusy as err:
            self.observer.generator_failed(err.code)
            raise
        started = time.perf_counter()
        rw = rewrite(req.question, req.history)
        asked = rw.standalone  # the user's words, for the model
        retriever = self.holder.get()
        # the notes' own term for what the question says in other words (corpus/glossary.toml,
        # and the English the notes gloss their terms with)
        facts = self.index_facts(retriever)
        rw = replace(rw, standalone=facts.glossary.expand(rw.standalone))
        # the field's English names for what the notes name only in Chinese ("greedy search",
        # their 贪婪搜索): searched with the notes' word too, and no name the notes lack
        english = is_english(rw.question)  # what the user typed, before the glossary's terms
        other = facts.heard.in_other_words(rw.question, facts.notes or "")
        if other and not english:
            zh = "、".join(dict.fromkeys(n for _, names in other for n in names))
            rw = replace(rw, standalone=f"{rw.standalone}（{zh}）")
        # ... and the notes' own spelling of a name they write otherwise ("LayerNorm", their
        # "Layer Normalization" and "LN"), for the search only: the question names what it
        # names (an added "PEFT" would answer for a fine-tuning question by PEFT's errata)
        spelled = () if english else facts.heard.spelled_otherwise(rw.question, facts.written)
        query = f"{rw.standalone}（{'、'.join(spelled)}）" if spelled else rw.standalone
        k = req.top_k or self.settings.top_k
        hits, version, retrieve_s = await self.search(query, k, retriever)
        decision = self.gate.decide(hits, rw.standalone, english)
        # the top sections' parts the search left out (more sections for "…有哪些优势？": the
        # sub-list titled with the aspect may be in one, service/aspects.py)
        top = ASPECT_SECTIONS if asks_aspect(rw.standalone) else TOP
        hits = complete_sections(hits, facts.sections, top)
        hits += lookup(rw.standalone, hits, facts.sections)  # "X是什么？": passages that name X
        # the field's terms for concepts the notes never discuss ("残差连接") are names too
        unheard = facts.unheard.said_in(rw.question)
        heard = [said for said, _ in other]
        g = ground(rw.standalone, hits, facts.notes, decision.refuse, english=english,
                   unheard=unheard, heard=heard)  # fmt: skip
        request = None
        if g.refusal is None and self.use_llm:
            request = evidence_request(g, self.builder, asked)
        if g.refusal is not None:  # the closest passages, so the user sees them
            sources = tuple(source_from_hit(i + 1, h) for i, h in enumerate(hits))
        else:
            sources = tuple(source_from_hit(i + 1, h) for i, h in enumerate(g.hits))
        return Plan(rw, tuple(hits), version, decision, g, request, sources, started, retrieve_s)

    # --- after generation -----------------------------------------------------------------
    def _finish(self, plan: Plan, draft: str | None, generate_s: float) -> Outcome:
        g = plan.grounding
        assert g.refusal is None
        if draft is not None and says_not_covered(draft, 0) and len(draft) < 80:
            # The LLM read the evidence and found no answer in it: trust the refusal.
            return Outcome(refusal(g.english), True, "model", (), generate_s)
        final = finish(g, self.checker, draft)
        by_n = {s.n: s for s in plan.sources}
        citations = tuple(by_n[n] for n in final.cited if n in by_n)
        refused = not citations
        reason: RefusalReason | None = "no_evidence" if refused else None
        return Outcome(final.text, refused, reason, citations, generate_s, final)

    def _refused_outcome(self, plan: Plan) -> Outcome:
        g = plan.grounding
        assert g.refusal is not None
        reason: RefusalReason = "no_evidence"
        if g.reason in ("missing_terms", "missing_kind", "notes_wrong"):
            reason = cast(RefusalReason, g.reason)
        return Outcome(g.refusal, True, reason, (), 0.0)

    def response(self, plan: Plan, out: Outcome, request_id: str) -> AskResponse:
        total = time.perf_counter() - plan.started
        self.observer.answered(plan, out, total)
        model = self.generator.model if plan.request is not None else "extractive"
        related = related_for(self.holder, plan)  # follow-ups from the practice bank
        return to_response(plan, out, total, model, request_id, related)

    def _generator_failed(self, plan: Plan, err: NotesQAError) -> WithSources:
        self.observer.generator_failed(err.code)
        return WithSources(err, plan.sources)

    # --- generation -----------------------------------------------------------------------
    def admit(self, plan: Plan) -> Ticket | None:
        """A place in the generation queue, or GeneratorBusy (429) before any byte is sent."""
        if plan.request is None:
            return None
        try:
            return self.limiter.reserve()
        except GeneratorBusy as err:
            raise self._generator_failed(plan, err) from err

    def _without_llm(self, plan: Plan) -> Outcome:
        if plan.refused:
            return self._refused_outcome(plan)
        return self._finish(plan, None, 0.0)

    async def answer(self, plan: Plan, request_id: str) -> AskResponse:
        ticket = self.admit(plan)
        if ticket is None or plan.request is None:
            return self.response(plan, self._without_llm(plan), request_id)
        t0 = time.perf_counter()
        try:
            async with ticket, asyncio.timeout(self.settings.llm_timeout_s):
                text = await self.generator.complete(plan.request)
        except TimeoutError as exc:
            err = GeneratorTimeout(f"no answer within {self.settings.llm_timeout_s:g} s")
            raise self._generator_failed(plan, err) from exc
        except NotesQAError as err:
            raise self._generator_failed(plan, err) from err
        generate_s = time.perf_counter() - t0
        self.observer.stage("generate", generate_s)
        return self.response(plan, self._finish(plan, text, generate_s), request_id)

    async def events(
        self, plan: Plan, ticket: Ticket | None, request_id: str
    ) -> AsyncGenerator[AskEvent, None]:
        """sources → token… → done, or → error (with the sources). `token`s show the draft as
        it is written; `done` carries the checked answer (and the sentences the check
        removed). Closing this iterator (client gone) stops the generation."""
        yield SourcesEvent(plan.sources, plan.rewrite.standalone, plan.index_version, request_id)
        if ticket is None or plan.request is None:
            out = self._without_llm(plan)
            yield TokenEvent(out.answer)
            yield DoneEvent(self.response(plan, out, request_id))
            return
        request: GenerationRequest = plan.request
        stream = self.generator.stream(request)
        cite = StreamingCitationFilter(len(request.passages) and max(p.n for p in request.passages))
        parts: list[str] = []
        t0 = time.perf_counter()
        try:
            async with ticket:
                it = aiter(stream)
                while True:
                    try:
                        async with asyncio.timeout(self.settings.llm_timeout_s):
                            delta = await anext(it)
                    except StopAsyncIteration:
                        break
                    parts.append(delta)
                    if text := cite.feed(delta):
                        yield TokenEvent(text)
                if tail := cite.flush():
                    yield TokenEvent(tail)
        except Exception as exc:
            err = exc if isinstance(exc, NotesQAError) else None
            if isinstance(exc, TimeoutError):
                err = GeneratorTimeout(f"no output for {self.settings.llm_timeout_s:g} s")
            if err is None:
                self.observer.stream_failed(exc)
                err = NotesQAError("internal server error")  # the details stay in the log
            else:
                self._generator_failed(plan, err)
            yield ErrorEvent(err, plan.sources)
            return
        finally:
            close = getattr(stream, "aclose", None)
            if close is not None:
                await close()
        generate_s = time.perf_counter() - t0
        self.observer.stage("generate", generate_s)
        out = self._finish(plan, "".join(parts), generate_s)
        yield DoneEvent(self.response(plan, out, request_id))
