"""llama-cpp-python in-process on a GGUF file: one model, one running request, a short queue."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from core.errors import GeneratorBusy, GeneratorTimeout, GeneratorUnavailable
from service.generators.base import GenerationRequest, GeneratorConfig, Message

_END = object()


class LlamaCppGenerator:
    """A llama.cpp context is not thread-safe, so every model call runs on one worker thread.

    Admission: one request runs and up to `max_queue` wait; one more raises GeneratorBusy at
    once (the service answers 429 with Retry-After) rather than piling up minutes of work.
    Generation stops between tokens once the stream's consumer goes away.
    """

    name = "llamacpp"

    def __init__(self, cfg: GeneratorConfig, logprobs: bool = False) -> None:
        self._cfg = cfg
        # logprobs=True loads the model with llama-cpp-python's logits_all, which its logprobs
        # API needs: logits for every prompt token, so prompts read slower (docs/benchmarks.md)
        # and the context holds n_ctx x vocabulary floats. Off for answering; the judge sets it.
        self._logprobs = logprobs
        self._path = Path(cfg.gguf_path)
        self.model = self._path.stem
        self.context_window = cfg.context_window
        self._llm: Any = None
        self._load_lock = threading.Lock()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="llamacpp")
        self._admit_lock = threading.Lock()
        self._inflight = 0
        self._limit = 1 + max(0, cfg.max_queue)

    # --- loading --------------------------------------------------------------------------
    def _new_llama(self, **kw: Any) -> Any:
        if not self._path.is_file():
            raise GeneratorUnavailable(
                f"GGUF model {self._path} is missing (make models-gguf builds it)"
            )
        try:
            from llama_cpp import Llama
        except ImportError as e:
            raise GeneratorUnavailable("llama-cpp-python is not installed (make llamacpp)") from e
        try:
            return Llama(model_path=str(self._path), verbose=False, **kw)
        except (ValueError, RuntimeError, OSError) as e:
            raise GeneratorUnavailable(f"llama.cpp cannot load {self._path}: {e}") from e

    def _load(self) -> Any:
        with self._load_lock:
            if self._llm is None:
                self._llm = self._new_llama(
                    n_ctx=self._cfg.context_window,
                    n_threads=self._cfg.n_threads,
                    n_threads_batch=self._cfg.n_threads,
                    logits_all=self._logprobs,
                )
            return self._llm

    # --- admission ------------------------------------------------------------------------
    def _submit(self, fn: Callable[[], Any]) -> Future[Any]:
        with self._admit_lock:
            if self._inflight >= self._limit:
                raise GeneratorBusy(
                    f"llama.cpp is busy ({self._inflight} requests running or queued)",
                    retry_after_s=5,
                )
            self._inflight += 1
        fut = self._worker.submit(fn)
        fut.add_done_callback(self._release)
        return fut

    def _release(self, _: Future[Any]) -> None:
        with self._admit_lock:
            self._inflight -= 1

    @property
    def inflight(self) -> int:
        return self._inflight

    # --- the Generator protocol -----------------------------------------------------------
    async def stream(self, req: GenerationRequest) -> AsyncIterator[str]:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        stop = threading.Event()

        def put(item: Any) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, item)
            except RuntimeError:  # the loop is gone: nobody is listening any more
                stop.set()

        def work() -> None:
            if stop.is_set():  # cancelled while queued
                return
            try:
                llm = self._load()
                chunks = llm.create_chat_completion(
                    messages=[dict(m) for m in req.messages],
                    stream=True,
                    max_tokens=req.max_tokens,
                    temperature=req.temperature,
                    top_p=self._cfg.top_p,
                    repeat_penalty=self._cfg.repetition_penalty,
                )
                try:
                    for chunk in chunks:
                        if stop.is_set():
                            break
                        delta = chunk["choices"][0]["delta"].get("content")
                        if delta:
                            put(delta)
                finally:
                    chunks.close()
                put(_END)
            except Exception as e:
                put(e)

        fut = self._submit(work)
        try:
            while True:
                try:
                    item = await asyncio.wait_for(queue.get(), timeout=self._cfg.timeout_s)
                except TimeoutError as e:
                    raise GeneratorTimeout(
                        f"llama.cpp produced nothing for {self._cfg.timeout_s:g} s"
                    ) from e
                if item is _END:
                    return
                if isinstance(item, GeneratorUnavailable):
                    raise item
                if isinstance(item, Exception):
                    raise GeneratorUnavailable(f"llama.cpp failed: {item}") from item
                yield item
        finally:
            stop.set()  # the worker sees it before its next token and frees the model
            # Return only once the model is free, so the next request finds the slot open.
            with contextlib.suppress(Exception):
                await asyncio.shield(asyncio.wrap_future(fut))

    async def complete(self, req: GenerationRequest) -> str:
        parts = [delta async for delta in self.stream(req)]
        return "".join(parts)

    async def check(self) -> None:
        await asyncio.to_thread(self._load)

    def count_tokens(self, text: str) -> int:
        # Tokenising only reads the vocabulary: safe beside a request on the worker thread.
        return len(self._load().tokenize(text.encode("utf-8"), add_bos=False))

    # --- judge capability -----------------------------------------------------------------
    async def first_token_logprobs(
        self, messages: Sequence[Message], top_n: int = 20
    ) -> list[tuple[str, float]]:
        """The `top_n` likeliest first tokens of the reply with their log-probabilities, most
        likely first: a one-token greedy chat completion with llama-cpp-python's logprobs.
        Empty when the model would end its reply at once."""
        fut = self._submit(lambda: self._first_token(messages, top_n))
        try:
            return list(await asyncio.wrap_future(fut))
        except GeneratorUnavailable:
            raise
        except (ValueError, RuntimeError) as e:
            raise GeneratorUnavailable(f"llama.cpp failed: {e}") from e

    def _first_token(self, messages: Sequence[Message], top_n: int) -> list[tuple[str, float]]:
        if not self._logprobs:
            raise GeneratorUnavailable(
                "this llama.cpp generator was loaded without logprobs (logprobs=True)"
            )
        llm = self._load()
        # Streamed: the non-streamed reply log-softmaxes the logits of every prompt position,
        # the streamed one only the row that predicts the new token.
        chunks = llm.create_chat_completion(
            messages=[dict(m) for m in messages],
            max_tokens=1,
            temperature=0.0,
            logprobs=True,
            top_logprobs=top_n,
            stream=True,
        )
        try:
            for chunk in chunks:
                content = (chunk["choices"][0].get("logprobs") or {}).get("content")
                if content:
                    top = content[0]["top_logprobs"]
                    pairs = [(str(c["token"]), float(c["logprob"])) for c in top]
                    return sorted(pairs, key=lambda tl: -tl[1])
        finally:
            chunks.close()
        return []

    async def aclose(self) -> None:
        # Waits for a running call to stop (it sees its stop flag between tokens): off the loop.
        await asyncio.to_thread(self._worker.shutdown, wait=True, cancel_futures=True)
        with self._load_lock:
            self._llm = None
