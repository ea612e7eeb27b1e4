"""Learners' practice progress in SQLite: one schedule card per (user, question), and every grade.

- The schema is created and migrated here, at first use: `MIGRATIONS` is an ordered list, and
  `schema_version` records how many have run, so migrating twice (or from two processes at
  once: BEGIN IMMEDIATE takes the write lock first) applies each step exactly once.
- WAL journal: readers (/practice/question, /progress) never wait for a grade being written.
- A grade updates the card and appends to `grades` in one transaction with synchronous=FULL:
  after a crash, mid-request or not, either both are on disk or neither is.
- A connection per call: sqlite3 connections must not cross threads, and FastAPI runs these
  routes on a thread pool. Opening one costs well under a millisecond.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from core.errors import ProgressStoreUnavailable
from service.sm2 import Card, quality, review

log = logging.getLogger(__name__)

MIGRATIONS: tuple[str, ...] = (
    # 1: schedule cards and the grade log
    """
    CREATE TABLE cards (
        user TEXT NOT NULL,
        question_id TEXT NOT NULL,
        ease REAL NOT NULL,
        interval_days REAL NOT NULL,
        repetitions INTEGER NOT NULL,
        due TEXT NOT NULL,
        last_score REAL NOT NULL,
        reviews INTEGER NOT NULL,
        PRIMARY KEY (user, question_id)
    );
    CREATE TABLE grades (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        user TEXT NOT NULL,
        question_id TEXT NOT NULL,
        topic TEXT NOT NULL,
        score REAL NOT NULL,
        quality INTEGER NOT NULL,
        graded_at TEXT NOT NULL
    );
    """,
    # 2: "what is due for this user" is the question every /practice/question asks
    "CREATE INDEX cards_due ON cards (user, due);",
)


@dataclass(frozen=True)
class Scheduled:
    question_id: str
    card: Card
    last_score: float


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="seconds")


def _card(row: sqlite3.Row) -> Scheduled:
    due = datetime.fromisoformat(row["due"])
    card = Card(row["ease"], row["interval_days"], row["repetitions"], due)
    return Scheduled(row["question_id"], card, row["last_score"])


class ProgressStore:
    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection; a disk or database that refuses us is a 503 that names the setting
        (a container's read-only root was a bare 500)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
        except (OSError, sqlite3.Error) as e:
            raise self._unavailable(e) from e
        try:
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA synchronous=FULL")  # a committed grade survives a power cut
            yield conn
        except sqlite3.OperationalError as e:
            raise self._unavailable(e) from e
        finally:
            conn.close()

    def _unavailable(self, e: Exception) -> ProgressStoreUnavailable:
        # the path goes to the log, not to the client
        log.warning("practice progress store %s unavailable: %s", self.path, e)
        why = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        return ProgressStoreUnavailable(
            f"practice progress can't be stored ({why}); set NOTESQA_PRACTICE_DB to a writable file"
        )

    def migrate(self) -> int:
        """Create or upgrade the schema; returns the version now on disk."""
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")  # persistent: set once per database file
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER)")
                row = conn.execute("SELECT version FROM schema_version").fetchone()
                have = row[0] if row else 0
                if row is None:
                    conn.execute("INSERT INTO schema_version VALUES (0)")
                for step in range(have, len(MIGRATIONS)):
                    for statement in MIGRATIONS[step].split(";"):
                        if statement.strip():
                            conn.execute(statement)
                conn.execute("UPDATE schema_version SET version = ?", (len(MIGRATIONS),))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return max(have, len(MIGRATIONS))

    def cards(self, user: str) -> dict[str, Scheduled]:
        with self._connect() as conn:
            rows = conn.execute("SELECT * FROM cards WHERE user = ?", (user,)).fetchall()
        return {r["question_id"]: _card(r) for r in rows}

    def record(
        self, user: str, question_id: str, topic: str, score: float, now: datetime
    ) -> Scheduled:
        """Schedule the card from this grade and log the grade: one transaction."""
        q = quality(score)
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")  # read-modify-write: no other grade in between
            try:
                row = conn.execute(
                    "SELECT * FROM cards WHERE user = ? AND question_id = ?", (user, question_id)
                ).fetchone()
                old = _card(row).card if row is not None else Card()
                reviews = (row["reviews"] if row is not None else 0) + 1
                new = review(old, q, now)
                assert new.due is not None
                conn.execute(
                    "INSERT OR REPLACE INTO cards VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        user, question_id, new.ease, new.interval_days, new.repetitions,
                        _iso(new.due), score, reviews,
                    ),
                )  # fmt: skip
                conn.execute(
                    "INSERT INTO grades (user, question_id, topic, score, quality, graded_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (user, question_id, topic, score, q, _iso(now)),
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return Scheduled(question_id, new, score)

    def grades(self, user: str) -> Sequence[sqlite3.Row]:
        with self._connect() as conn:
            return conn.execute(
                "SELECT * FROM grades WHERE user = ? ORDER BY id", (user,)
            ).fetchall()
