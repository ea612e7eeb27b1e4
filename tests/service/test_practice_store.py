"""SM-2 scheduling, the choice of the next question, and the SQLite progress store."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.errors import ProgressStoreUnavailable
from ingest.bank import BankEntry, Location
from service.practice_ops import next_question, progress
from service.progress_store import MIGRATIONS, ProgressStore
from service.sm2 import Card, quality, review
from tests.conftest import ROOT

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def test_quality_from_score() -> None:
    assert [quality(s) for s in (0.0, 0.09, 0.3, 0.5, 0.6, 1.0)] == [0, 0, 2, 3, 3, 5]


def test_sm2_intervals_grow_and_a_lapse_starts_over() -> None:
    c = review(Card(), 5, NOW)
    assert (c.interval_days, c.repetitions, c.due) == (1.0, 1, NOW + timedelta(days=1))
    c = review(c, 5, NOW)
    assert (c.interval_days, c.repetitions) == (6.0, 2)
    third = review(c, 4, NOW)
    assert third.repetitions == 3 and third.interval_days == round(6.0 * c.ease, 2)
    assert c.ease == pytest.approx(2.7)  # two perfect recalls: +0.1 each
    lapse = review(third, 1, NOW)
    assert (lapse.interval_days, lapse.repetitions, lapse.ease) == (1.0, 0, third.ease)
    hard = Card()
    for _ in range(10):
        hard = review(hard, 3, NOW)
    assert hard.ease == 1.3  # the floor


def _entry(qid: str, topic: tuple[str, ...]) -> BankEntry:
    loc = Location("f.md", (*topic, qid), 0, 10)
    return BankEntry(qid, f"{qid}?", topic, loc, (qid,), "answer")


def test_due_first_then_unseen_then_soonest(tmp_path: Path) -> None:
    entries = [_entry(q, ("T", q[0])) for q in ("a1", "a2", "b1", "b2")]
    store = ProgressStore(tmp_path / "p.sqlite")
    store.migrate()
    pick = next_question(entries, store.cards("u"), NOW)
    assert pick is not None and pick.entry.question_id == "a1"
    store.record("u", "a1", "T / a", 1.0, NOW)  # due in a day
    store.record("u", "b1", "T / b", 0.0, NOW - timedelta(days=3))  # failed: due 2 days ago
    pick = next_question(entries, store.cards("u"), NOW)
    assert pick is not None and (pick.entry.question_id, pick.due, pick.seen) == ("b1", True, True)
    in_a = [e for e in entries if e.topic == ("T", "a")]
    pick = next_question(in_a, store.cards("u"), NOW)  # topic filter: b1's due card is elsewhere
    assert pick is not None and (pick.entry.question_id, pick.due, pick.seen) == (
        "a2",
        False,
        False,
    )
    store.record("u", "a2", "T / a", 1.0, NOW - timedelta(hours=1))
    pick = next_question(in_a, store.cards("u"), NOW)  # all seen, none due: the soonest
    assert pick is not None and (pick.entry.question_id, pick.due) == ("a2", False)
    pick = next_question(entries, store.cards("someone else"), NOW)
    assert pick is not None and pick.entry.question_id == "a1"
    stats = {s.topic: s for s in progress(entries, store.cards("u"), NOW)}
    assert (stats["T / a"].seen, stats["T / a"].mean_score, stats["T / a"].due) == (2, 1.0, 0)
    assert (stats["T / b"].seen, stats["T / b"].mean_score, stats["T / b"].due) == (1, 0.0, 1)


def test_migrations_idempotent_and_upgrade_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    # a database left by a service that knew only the first migration
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE schema_version (version INTEGER)")
        conn.execute("INSERT INTO schema_version VALUES (1)")
        conn.executescript(MIGRATIONS[0])
        conn.execute(
            "INSERT INTO cards VALUES ('u', 'q', 2.5, 1.0, 1, '2026-01-01T00:00:00+00:00', 1.0, 1)"
        )
    store = ProgressStore(path)
    assert store.migrate() == len(MIGRATIONS)
    assert store.migrate() == len(MIGRATIONS)  # again: nothing to do, nothing broken
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(len(MIGRATIONS),)]
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert {"cards", "grades", "cards_due", "schema_version"} <= names
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert set(store.cards("u")) == {"q"}


def test_a_grade_is_all_or_nothing(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "p.sqlite")
    store.migrate()
    store.record("u", "q1", "T", 0.8, NOW)
    with sqlite3.connect(store.path) as conn:
        conn.execute("DROP TABLE grades")  # the grade log's insert will fail mid-transaction
    with pytest.raises(ProgressStoreUnavailable):  # a 503 over HTTP
        store.record("u", "q2", "T", 1.0, NOW)
    assert set(store.cards("u")) == {"q1"}  # q2's card update was rolled back with it
    assert store.cards("u")["q1"].card.repetitions == 1


KILL_MID_GRADE = """
import os, signal, sys
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from core.errors import ProgressStoreUnavailable
from service.progress_store import ProgressStore

class Dying(ProgressStore):
    @contextmanager
    def _connect(self):
        with super()._connect() as conn:
            def trace(sql):  # the card is written; die as the grade log's row goes in
                if sql.startswith("INSERT INTO grades") and self.armed:
                    os.kill(os.getpid(), signal.SIGKILL)
            conn.set_trace_callback(trace)
            yield conn

store = Dying(Path(sys.argv[1]))
store.armed = False
store.migrate()
now = datetime.now(UTC)
store.record("u", "q1", "T", 1.0, now)
store.armed = True
store.record("u", "q2", "T", 1.0, now)
"""


def test_a_process_killed_mid_grade_loses_nothing_committed(tmp_path: Path) -> None:
    db = tmp_path / "p.sqlite"
    proc = subprocess.run(
        [sys.executable, "-c", KILL_MID_GRADE, str(db)], cwd=ROOT, capture_output=True, timeout=60
    )
    assert proc.returncode == -9, proc.stderr.decode()[-2000:]
    store = ProgressStore(db)  # the next process: a restart
    assert store.migrate() == len(MIGRATIONS)
    assert set(store.cards("u")) == {"q1"}  # q2's half-written grade is gone, card and all
    assert [(r["question_id"], r["score"]) for r in store.grades("u")] == [("q1", 1.0)]
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
