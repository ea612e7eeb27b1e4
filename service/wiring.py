"""The one place the service's parts are built: settings → index holder → generator → metrics
→ (inside the event loop) limiter → pipeline. The HTTP app (service/app.py), eval's in-process
answerer (eval/answers.py) and the tests all build through `wire`, so they run the same thing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from core.settings import Settings, get_settings
from service.generators.base import Generator, GeneratorConfig
from service.generators.factory import build_generator
from service.index_holder import DefaultLoader, IndexHolder, RetrieverLoader
from service.limiter import GenerationLimiter
from service.metrics import Metrics
from service.observer import MetricsObserver
from service.pipeline import AskPipeline

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Wiring:
    settings: Settings
    generator: Generator
    metrics: Metrics
    holder: IndexHolder

    def pipeline(self) -> AskPipeline:
        """A pipeline over these parts. Call it inside the running event loop: the limiter's
        asyncio primitives belong to the loop that uses them."""
        s = self.settings
        limiter = GenerationLimiter(s.max_concurrency, s.max_queue, s.queue_timeout_s)
        return AskPipeline(s, self.holder, self.generator, MetricsObserver(self.metrics), limiter)

    async def aclose(self) -> None:
        """Stop the index watcher, then free the generator (connections, model, threads)."""
        await self.holder.stop()
        try:
            await self.generator.aclose()
        except Exception:  # shutting down: report it, but let the rest shut down too
            log.warning("closing generator %s failed", self.generator.name, exc_info=True)


def wire(
    settings: Settings | None = None,
    *,
    generator: Generator | None = None,
    retriever_loader: RetrieverLoader | None = None,
) -> Wiring:
    """The parts from `settings` (default: the environment's); tests pass a fake generator
    and a loader with a fake embedder. Nothing is loaded yet: the holder loads the index when
    started (or `load_initial()`), the generator its model on first use or `check()`."""
    settings = settings or get_settings()
    gen = generator or build_generator(settings.generator, GeneratorConfig.from_settings(settings))
    metrics = Metrics()
    holder = IndexHolder(
        settings,
        retriever_loader or DefaultLoader(),
        on_swap=metrics.set_index_version,
        on_reload=lambda outcome: metrics.index_reloads.labels(outcome).inc(),
    )
    return Wiring(settings, gen, metrics, holder)
