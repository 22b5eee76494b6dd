"""Login throttling, per username and per client, kept in the database (every worker process counts).

After LIMITS[scope] failed logins within WINDOW, further attempts wait: BASE_DELAY after the latest failure,
doubling with every further failure up to MAX_DELAY. A wait is short (at most two minutes), so someone
hammering a colleague's username delays her login a little and never locks her out for long; a correct
password during the wait is refused like a wrong one (or the wait would not slow guessing at all). A
successful login clears its username's failures. Keys are stored hashed: a password typed into the
username field never lands in the database.
"""

from __future__ import annotations

import hashlib
import math
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from models import orm
from models.orm import utcnow

WINDOW = timedelta(minutes=15)
LIMITS = {"user": 5, "client": 20}  # a shared office address (NAT) carries many consultants
BASE_DELAY = timedelta(seconds=15)
MAX_DELAY = timedelta(minutes=2)


def _key(scope: str, value: str) -> str:
    return hashlib.sha256(f"{scope}:{value.strip().casefold()}".encode("utf-8")).hexdigest()


def _keys(username: str, client: str) -> list[tuple[str, str]]:
    return [("user", _key("user", username)), ("client", _key("client", client))]


def retry_after(session: Session, username: str, client: str) -> int:
    """Seconds to wait before the next attempt may be checked (0: go ahead)."""
    now = utcnow()
    wait = timedelta(0)
    for scope, key in _keys(username, client):
        count, latest = session.execute(select(func.count(), func.max(orm.LoginFailure.at)).where(
            orm.LoginFailure.scope == scope, orm.LoginFailure.key_hash == key,
            orm.LoginFailure.at > now - WINDOW)).one()
        if count < LIMITS[scope] or latest is None:
            continue
        delay = min(BASE_DELAY * 2 ** (count - LIMITS[scope]), MAX_DELAY)
        wait = max(wait, latest + delay - now)
    return math.ceil(wait.total_seconds()) if wait > timedelta(0) else 0


def record_failure(session: Session, username: str, client: str) -> None:
    now = utcnow()
    session.execute(delete(orm.LoginFailure).where(orm.LoginFailure.at < now - WINDOW))
    session.add_all(orm.LoginFailure(scope=scope, key_hash=key, at=now) for scope, key in _keys(username, client))
    session.flush()


def clear_failures(session: Session, username: str) -> None:
    session.execute(delete(orm.LoginFailure).where(orm.LoginFailure.scope == "user",
                                                   orm.LoginFailure.key_hash == _key("user", username)))


__all__ = ["BASE_DELAY", "LIMITS", "MAX_DELAY", "WINDOW", "clear_failures", "record_failure", "retry_after"]
