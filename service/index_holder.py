"""Serve the published index and pick up a newer one without a restart.

`python -m ingest` publishes by swapping the `current` symlink. A watcher notices the new
target, loads it in a worker thread (seconds: FAISS, BM25, maybe the embedder), then swaps one
reference. A request takes that reference once, at its start, so all its hits come from one
version even if a swap happens mid-request; the old index lives until its last reader is done.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from core.errors import IndexNotReady, NotesQAError
from core.index_store import current_version_dir
from core.settings import Settings
from core.types import Hit

log = logging.getLogger(__name__)


class VersionedRetriever(Protocol):
    @property
    def version(self) -> str: ...

    def search(self, question: str, k: int) -> list[Hit]: ...


RetrieverLoader = Callable[[Settings], VersionedRetriever]


class DefaultLoader:
    """open_retriever, reusing the embedder across reloads: it is the slow part to load."""

    def __init__(self) -> None:
        self._embedder: object | None = None

    def __call__(self, settings: Settings) -> VersionedRetriever:
        from core.retrieval import open_retriever

        retriever = open_retriever(settings, self._embedder)  # type: ignore[arg-type]
        self._embedder = retriever.embedder
        return retriever


class IndexHolder:
    def __init__(
        self,
        settings: Settings,
        loader: RetrieverLoader,
        on_swap: Callable[[str], None] | None = None,
        on_reload: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self._loader = loader
        self._on_swap = on_swap
        self._on_reload = on_reload
        self._current: VersionedRetriever | None = None
        self._seen: Path | None = None  # the `current` target we last tried (ok or not)
        self._error: str | None = "index not loaded yet"
        self._lock = threading.Lock()  # one load at a time (watcher vs an explicit check)
        self.first_attempt = threading.Event()
        self._task: asyncio.Task[None] | None = None

    # --- the request path -----------------------------------------------------------------
    def get(self) -> VersionedRetriever:
        """The retriever a request uses for all its work (read once: a plain reference)."""
        current = self._current
        if current is None:
            raise IndexNotReady(self._error or "index not loaded")
        return current

    @property
    def version(self) -> str | None:
        current = self._current
        return current.version if current is not None else None

    @property
    def error(self) -> str | None:
        """Why no index is served, or why the last reload failed (the old one stays)."""
        return self._error

    # --- loading (worker thread) ----------------------------------------------------------
    def check_once(self) -> bool:
        """Load the index if `current` points somewhere new. True when a new one was swapped in."""
        with self._lock:
            try:
                target = current_version_dir(self.settings.index_dir)
            except OSError:
                target = None
            if target is None:
                if self._current is None:
                    self._error = f"no index at {self.settings.index_dir}: run `python -m ingest`"
                return False
            if target == self._seen:
                return False
            self._seen = target
            try:
                fresh = self._loader(self.settings)
            except NotesQAError as exc:
                self._error = str(exc)
                log.error("index load failed: %s", exc)
                self._report("failed")
                return False
            except Exception:
                self._error = "index load failed (see server log)"
                log.exception("index load failed")
                self._report("failed")
                return False
            try:  # first queries pay for lazy init (ONNX sessions, jieba): not a user's
                fresh.search("warm-up 预热", 1)
            except Exception:
                log.warning("index warm-up query failed", exc_info=True)
            previous = self._current
            self._current = fresh  # the swap: one reference assignment
            # load_index falls back to the last good version when `current` is corrupt: serve
            # it, but keep saying why (readyz stays 200; the operator sees it in logs).
            warnings = getattr(getattr(fresh, "index", None), "warnings", ())
            self._error = "; ".join(warnings) or None
            for warning in warnings:
                log.warning("index: %s", warning)
            log.info(
                "index %s loaded%s",
                fresh.version,
                f" (was {previous.version})" if previous is not None else "",
            )
            self._report("ok")
            if self._on_swap is not None:
                self._on_swap(fresh.version)
            return True

    def _report(self, outcome: str) -> None:
        if self._on_reload is not None:
            self._on_reload(outcome)

    def load_initial(self) -> None:
        try:
            self.check_once()
        finally:
            self.first_attempt.set()

    # --- the watcher (event loop) ---------------------------------------------------------
    async def _watch(self) -> None:
        await asyncio.to_thread(self.load_initial)
        while True:
            await asyncio.sleep(self.settings.reload_check_s)
            try:
                await asyncio.to_thread(self.check_once)
            except Exception:  # never let the watcher die: the next tick tries again
                log.exception("index watcher tick failed")

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._watch(), name="index-watcher")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
