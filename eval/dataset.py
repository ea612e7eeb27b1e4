"""Question files: one JSON object per line, validated on load with the line number on error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, Field, ValidationError

Kind = Literal["paraphrase", "specific", "multi", "unanswerable"]


class EvalItem(BaseModel, frozen=True):
    id: str
    question: str = Field(min_length=1)
    kind: Kind
    evidence: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    answer_points: tuple[str, ...] = ()
    # The notes answer this question, but their answer is a reviewed error (corpus/overrides.toml
    # `errata`); what it is, in a few words. The right response withholds that answer and
    # corrects it, so a refusal here is counted apart from the false refusals.
    notes_wrong: str = ""

    @property
    def answerable(self) -> bool:
        return self.kind != "unanswerable"


class DatasetError(ValueError):
    pass


M = TypeVar("M", bound=BaseModel)


def load_models(path: Path, model: type[M]) -> list[M]:
    """Each non-blank line of a JSONL file as `model`, with unique `id`s; line number on error."""
    items: list[M] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read ({exc.strerror})") from exc
    for no, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            items.append(model.model_validate(json.loads(line)))
        except (ValueError, ValidationError) as exc:
            raise DatasetError(f"{path}:{no}: invalid item ({str(exc).splitlines()[0]})") from exc
    if not items:
        raise DatasetError(f"{path}: no items")
    ids = [getattr(i, "id", None) for i in items]
    if len(set(ids)) != len(ids):
        raise DatasetError(f"{path}: duplicate ids")
    return items


def load_items(path: Path) -> list[EvalItem]:
    return load_models(path, EvalItem)
