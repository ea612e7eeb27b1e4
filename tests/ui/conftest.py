from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.ui.fake_api import FakeApiServer, create_fake_api


@pytest.fixture
def fake_api() -> Iterator[FakeApiServer]:
    with FakeApiServer(create_fake_api()) as server:
        yield server


@pytest.fixture
def fake_api_with_key() -> Iterator[FakeApiServer]:
    with FakeApiServer(create_fake_api(api_key="s3cret")) as server:
        yield server
