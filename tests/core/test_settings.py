"""One settings tree: the judge's settings nested in it, under their old env names, and the
generator's config read from it with no defaults of its own."""

from __future__ import annotations

import dataclasses

import pytest
from pydantic import ValidationError

from core.settings import JudgeSettings, Settings, settings_error
from service.generators.base import GeneratorConfig


def test_the_judge_reads_its_old_env_names_and_flat_names_stay_flat(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NOTESQA_JUDGE_KIND", "nli")
    monkeypatch.setenv("NOTESQA_JUDGE_NLI_MODEL", "some/nli")
    monkeypatch.setenv("NOTESQA_JUDGE_THRESHOLD", "0.7")
    monkeypatch.setenv("NOTESQA_TOP_K", "7")
    monkeypatch.setenv("NOTESQA_GATE_MIN_BM25", "1.5")
    s = Settings()
    assert s.judge == JudgeSettings(kind="nli", nli_model="some/nli", threshold=0.7)
    assert (s.top_k, s.gate_min_bm25) == (7, 1.5)


def test_a_bad_value_names_the_field_and_its_env_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NOTESQA_TOP_K", "abc")
    with pytest.raises(ValidationError) as caught:
        Settings()
    line = settings_error(caught.value)
    assert line.startswith("bad setting top_k (NOTESQA_TOP_K): ") and "\n" not in line
    monkeypatch.delenv("NOTESQA_TOP_K")
    with pytest.raises(ValidationError) as across:
        Settings(chunk_size=200, chunk_overlap=150)
    assert settings_error(across.value) == (
        "bad settings: Value error, chunk_overlap must be under half of chunk_size"
    )


def test_the_generator_config_is_settings_values_only() -> None:
    s = Settings(llm_timeout_s=42.0, max_queue=3, llm_context_window=2048, llm_threads=4)
    cfg = GeneratorConfig.from_settings(s)
    assert (cfg.timeout_s, cfg.max_queue, cfg.context_window, cfg.n_threads) == (42.0, 3, 2048, 4)
    # the values a bare Settings gives are the service's (once 120 s / 2 in the config)
    plain = GeneratorConfig.from_settings(Settings())
    assert (plain.timeout_s, plain.max_queue) == (180.0, 4)
    assert all(f.default is dataclasses.MISSING for f in dataclasses.fields(GeneratorConfig))
    judge = GeneratorConfig.from_settings(s, kind="llamacpp", context_window=4096)
    assert (judge.kind, judge.context_window, judge.timeout_s) == ("llamacpp", 4096, 42.0)
