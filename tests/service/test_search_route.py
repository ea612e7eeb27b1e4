"""/search answers with the body its schema documents, serialised once, and says how long the
search itself took (Server-Timing), so HTTP overhead can be told from retrieval."""

from __future__ import annotations

from contract.ask import SearchResponse


def test_search_body_headers_and_schema(app_factory, on_topic) -> None:
    with app_factory() as (client, _):
        resp = client.get("/search", params={"q": on_topic, "k": 3})
        assert resp.status_code == 200 and resp.headers["content-type"] == "application/json"
        body = SearchResponse.model_validate_json(resp.content)
        assert body.query == on_topic and 1 <= len(body.hits) <= 3
        assert body.request_id == resp.headers["x-request-id"]
        assert resp.headers["x-index-version"] == body.index_version
        name, dur = resp.headers["server-timing"].split(";dur=")
        assert name == "retrieve" and 0.0 < float(dur) < 30_000
        ok = client.app.openapi()["paths"]["/search"]["get"]["responses"]["200"]
        assert ok["content"]["application/json"]["schema"]["$ref"].endswith("/SearchResponse")
