from __future__ import annotations

from typing import Any


def test_info_names_generator_model_and_index(app_factory: Any) -> None:
    with app_factory() as (client, gen):
        body = client.get("/info").json()
    assert body["generator"] == gen.name and body["model"] == gen.model
    assert body["default_top_k"] == 5 and body["max_top_k"] == 20
