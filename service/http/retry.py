"""Retrying a write route whose transaction lost a race with a concurrent one.

Two requests that create the same citizen at the same moment both find no row and both insert: on
PostgreSQL the second gets a unique violation when it commits. Its transaction is then rolled back and the
whole route runs again on what the first committed (so it updates instead), a few times at most; last writer
wins and nothing is half-written. Serialisation failures and deadlocks are retried the same way. Other
integrity errors (a CHECK, a foreign key) are not races and are raised as they are.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError

from service.http.problems import Problem

log = logging.getLogger("fleksmatch.api")
ATTEMPTS = 5
RETRYABLE_SQLSTATES = frozenset({"23505", "40001", "40P01"})  # unique violation, serialisation, deadlock
CONFLICT_DETAIL = "Objektet blev ændret af en anden forespørgsel samtidig; prøv igen."
F = TypeVar("F", bound=Callable[..., Any])


def lost_a_race(exc: DBAPIError) -> bool:
    """True when running the transaction again may succeed: a concurrent writer got there first."""
    state = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    if state is not None:
        return state in RETRYABLE_SQLSTATES
    return isinstance(exc, IntegrityError) and "UNIQUE constraint failed" in str(exc.orig)


def retry_races(endpoint: F) -> F:
    """Decorate a sync write route that takes `session`: on a lost race, roll back and run it again;
    after ATTEMPTS lost races answer 409 (never 500). Put it below the @router decorator."""

    @functools.wraps(endpoint)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        session = kwargs["session"]
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return endpoint(*args, **kwargs)
            except DBAPIError as exc:
                session.rollback()
                if not lost_a_race(exc):
                    raise
                log.info("Samtidig skrivning (forsøg %s af %s): %s", attempt, ATTEMPTS, type(exc.orig).__name__)
        raise Problem(409, CONFLICT_DETAIL)

    return wrapper  # type: ignore[return-value]


__all__ = ["ATTEMPTS", "lost_a_race", "retry_races"]
