"""What the demo's recorders of history share: idempotent (a database that already holds their rows is left
as it is) and deterministic (a fixed seed, everything relative to `today`)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from typing import Protocol, TypeVar

from sqlalchemy.orm import Session


class Summary(Protocol):
    already_there: bool


S = TypeVar("S", bound=Summary)


def record_once(session: Session, summary: S, already_there: Callable[[Session], bool], seed: int,
                today: date | None, record: Callable[[Session, S, date, random.Random], None]) -> S:
    """Run `record` with today's date and a draw seeded by `seed`, unless the database already holds its rows."""
    if already_there(session):
        summary.already_there = True
        return summary
    record(session, summary, today or date.today(), random.Random(seed))
    return summary
