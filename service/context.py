"""The request's context: its id, readable anywhere on the request's task (logs, error bodies).

Its own module so that the middleware that sets it (service/security.py) and the code that
reads it (service/error_handlers.py, logging) need not import each other.
"""

from __future__ import annotations

import contextvars
import logging

# "-" outside a request (start-up, the index watcher): a log line still has the field.
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def current_request_id() -> str:
    return request_id_var.get()


class RequestIdLogFilter(logging.Filter):
    """Adds `request_id` to every record, so log lines can be joined to responses."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True
