"""SM-2 spaced repetition (Wozniak, 1987), the scheme Anki and SuperMemo started from.

A grade's score (0-1) becomes SM-2's quality 0-5. Quality 3 or more is a successful recall: the
interval grows (1 day, 6 days, then times the ease factor); under 3 the card starts over at one
day with its ease unchanged, as SM-2 specifies. The ease factor moves with every good recall and
never drops below 1.3, below which cards came back too often to be useful.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

INITIAL_EASE = 2.5  # SM-2's starting ease factor
MIN_EASE = 1.3  # SM-2's floor
FIRST_INTERVAL = 1.0  # days, after the first successful recall (and after a failed one)
SECOND_INTERVAL = 6.0  # days, after the second
PASS = 3  # quality from which a recall counts as successful


@dataclass(frozen=True)
class Card:
    ease: float = INITIAL_EASE
    interval_days: float = 0.0
    repetitions: int = 0  # successful recalls in a row
    due: datetime | None = None  # None: never reviewed


def quality(score: float) -> int:
    """SM-2's 0-5 from a 0-1 score: half the key points is a pass (3), all of them 5."""
    return max(0, min(5, math.floor(5 * score + 0.5)))  # half up: round() would make 0.5 a 2


def review(card: Card, q: int, now: datetime) -> Card:
    if q < PASS:
        interval = FIRST_INTERVAL
        return replace(card, interval_days=interval, repetitions=0, due=now + timedelta(interval))
    reps = card.repetitions + 1
    if reps == 1:
        interval = FIRST_INTERVAL
    elif reps == 2:
        interval = SECOND_INTERVAL
    else:
        interval = round(card.interval_days * card.ease, 2)
    ease = max(MIN_EASE, card.ease + 0.1 - (5 - q) * (0.08 + (5 - q) * 0.02))
    return Card(round(ease, 4), interval, reps, now + timedelta(days=interval))
