"""`python -m service [--host H] [--port P] [--generator KIND] [--index DIR]`: run the API."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from core.settings import Settings, settings_error
from service.context import RequestIdLogFilter
from service.generators.factory import KINDS

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m service", description=__doc__)
    p.add_argument("--host", help="bind address (settings: NOTESQA_HOST)")
    p.add_argument("--port", type=int, help="port (settings: NOTESQA_PORT)")
    p.add_argument("--generator", choices=KINDS, help="answer back-end (NOTESQA_GENERATOR)")
    p.add_argument("--index", type=Path, help="index directory (NOTESQA_INDEX_DIR)")
    p.add_argument("--log-level", default="INFO", help="INFO never logs question text")
    return p.parse_args(argv)


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Flags override env/.env; validation still applies (a bad port fails here, not later)."""
    overrides = {
        "host": args.host,
        "port": args.port,
        "generator": args.generator,
        "index_dir": args.index,
    }
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdLogFilter())
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


def server_options(settings: Settings) -> dict[str, Any]:
    return {
        "host": settings.host,
        "port": settings.port,
        "log_config": None,
        # uvicorn's access log prints the full URL, and /search?q=... carries question text.
        "access_log": False,
        "timeout_keep_alive": settings.keep_alive_s,
    }


def main(argv: list[str] | None = None) -> int:
    import uvicorn

    from service.app import create_app

    args = parse_args(argv)
    configure_logging(args.log_level)
    try:
        settings = settings_from_args(args)
    except ValidationError as exc:
        print(f"service: {settings_error(exc)}", file=sys.stderr)
        return 2
    app = create_app(settings)
    uvicorn.run(app, **server_options(settings))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
