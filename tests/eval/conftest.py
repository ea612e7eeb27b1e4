from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "llm: runs a real local LLM (slow: seconds per test)")
