"""Prometheus metrics, on a registry per app so tests can build many apps side by side."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Seconds: retrieval is ~10-100 ms, CPU generation up to a couple of minutes.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.requests = Counter(
            "notesqa_requests", "HTTP requests by route and status", ["route", "status"], registry=r
        )
        self.stage_seconds = Histogram(
            "notesqa_stage_seconds",
            "Latency per /ask stage (retrieve, generate, total)",
            ["stage"],
            buckets=BUCKETS,
            registry=r,
        )
        self.refusals = Counter(
            "notesqa_refusals", "Refused answers by reason (gate or model)", ["reason"], registry=r
        )
        self.generator_errors = Counter(
            "notesqa_generator_errors", "Generator failures by error code", ["code"], registry=r
        )
        self.index_reloads = Counter(
            "notesqa_index_reloads", "Index reloads by outcome", ["outcome"], registry=r
        )
        self.index_info = Gauge(
            "notesqa_index_info", "1 for the index version being served", ["version"], registry=r
        )
        # Pre-create the label sets, so a fresh process exposes zeros rather than nothing.
        for stage in ("retrieve", "generate", "total"):
            self.stage_seconds.labels(stage)
        for reason in ("gate", "model"):
            self.refusals.labels(reason)

    def observe_stage(self, stage: str, seconds: float) -> None:
        self.stage_seconds.labels(stage).observe(seconds)

    def set_index_version(self, version: str) -> None:
        self.index_info.clear()
        self.index_info.labels(version).set(1)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class MetricsMiddleware:
    """Count every response by route template (not raw path: /search?q=... is one series)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500  # an exception that escapes everything still counts, as a 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", None) or "unmatched"
            self.metrics.requests.labels(path, str(status)).inc()
