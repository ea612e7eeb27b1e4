"""What the operational routes answer: /healthz, /readyz and /info."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from contract.ask import MAX_TOP_K


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    ready: bool
    index_version: str | None = None
    generator: str
    reason: str | None = None
    warning: str | None = Field(
        None, description="Served, but with a problem: e.g. a corrupt new index was skipped."
    )


class ServiceInfo(BaseModel):
    """What a client (the chat UI) shows about the service and the defaults it should offer:
    which model answers, which index, and the top_k the server uses when none is sent."""

    generator: str
    model: str
    index_version: str | None = None
    default_top_k: int
    max_top_k: int = MAX_TOP_K
