"""What the /ask pipeline reports while it works: stage timings, refusals, generator failures
and one log line per answer. The pipeline calls an `AskObserver`; this one feeds Prometheus
and the log, so the pipeline itself neither counts nor logs."""

from __future__ import annotations

import logging
from typing import Protocol

from service.metrics import Metrics
from service.respond import Outcome, Plan

log = logging.getLogger("service.pipeline")  # the name operators already filter on


class AskObserver(Protocol):
    def stage(self, name: str, seconds: float) -> None:
        """A stage finished: "retrieve", "generate" or "total"."""

    def generator_failed(self, code: str) -> None:
        """The generator (or its admission) failed with this error code."""

    def stream_failed(self, exc: BaseException) -> None:
        """An unexpected error ended a stream after its first byte."""

    def answered(self, plan: Plan, out: Outcome, total_s: float) -> None:
        """An answer (or refusal) is complete."""


class MetricsObserver:
    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def stage(self, name: str, seconds: float) -> None:
        self.metrics.observe_stage(name, seconds)

    def generator_failed(self, code: str) -> None:
        self.metrics.generator_errors.labels(code).inc()

    def stream_failed(self, exc: BaseException) -> None:
        log.error("stream failed", exc_info=exc)

    def answered(self, plan: Plan, out: Outcome, total_s: float) -> None:
        self.stage("total", total_s)
        if out.refused:
            self.metrics.refusals.labels("gate" if out.refusal_reason != "model" else "model").inc()
        removed = len(out.final.removed) if out.final else 0
        if removed:
            log.info("support check removed %d sentence(s)", removed)
        log.info(
            "ask done: q_chars=%d rewritten=%s hits=%d refused=%s reason=%s gate=%s "
            "top_dense=%.3f top_bm25=%.2f cited=%d removed=%d retrieve_ms=%.0f "
            "generate_ms=%.0f total_ms=%.0f",
            len(plan.rewrite.question),
            plan.rewrite.rewritten,
            len(plan.hits),
            out.refused,
            out.refusal_reason,
            plan.gate.reason,
            plan.gate.features.get("top_dense", 0.0),
            plan.gate.features.get("top_bm25", 0.0),
            len(out.citations),
            removed,
            plan.retrieve_s * 1000,
            out.generate_s * 1000,
            total_s * 1000,
        )
