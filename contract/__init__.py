"""The API contract: request and response bodies, input limits and stream event names.

The service (service/), the chat UI (ui/), eval's clients and the tests' fake API all import
these models, so the wire format is written once. Only pydantic here: no FastAPI, no core,
no ingest, so a client installs and imports it without the server's world.
"""
