"""Server-side sessions of the consultant UI.

The signed cookie carries only a random session secret; the `web_sessions` row (keyed by the secret's
sha256) is what makes it a login. Logout deletes the row, deactivating a user or changing their password
deletes all of theirs, and a session idle for IDLE_TIMEOUT (a shared municipal PC) or older than the
working-day limit is refused: a copied cookie dies with the session. Every worker process reads the same
rows, so this holds across `fleksmatch serve`'s workers.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from models import orm
from models.orm import utcnow

IDLE_TIMEOUT = timedelta(minutes=30)
# last_seen_at is written at most this often: the idle limit holds to within a minute, and browsing does
# not turn every page view into a write.
TOUCH_RESOLUTION = timedelta(seconds=60)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LiveSession:
    session_id: int
    user: orm.User
    needs_touch: bool


def start_session(session: Session, user: orm.User) -> str:
    """A new session for `user`; returns the secret for the cookie (stored only as its hash)."""
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(orm.WebSession(token_hash=_hash(secret), user_id=user.id, created_at=now, last_seen_at=now))
    session.flush()
    return secret


def live_session(session: Session, secret: str, *, max_age_seconds: float) -> LiveSession | None:
    """The session and its active user, or None when it ended, idled out, aged out or the user is inactive.
    Reads only."""
    row = session.scalar(select(orm.WebSession).where(orm.WebSession.token_hash == _hash(secret)))
    if row is None:
        return None
    now = utcnow()
    if now - row.last_seen_at > IDLE_TIMEOUT or (now - row.created_at).total_seconds() > max_age_seconds:
        return None
    user = session.get(orm.User, row.user_id)
    if user is None or not user.active:
        return None
    return LiveSession(row.id, user, now - row.last_seen_at > TOUCH_RESOLUTION)


def touch_session(session: Session, session_id: int) -> None:
    session.execute(update(orm.WebSession).where(orm.WebSession.id == session_id).values(last_seen_at=utcnow()))


def end_session(session: Session, secret: str) -> None:
    session.execute(delete(orm.WebSession).where(orm.WebSession.token_hash == _hash(secret)))


def end_user_sessions(session: Session, user_id: int) -> int:
    """Log the user out everywhere (deactivation, new password). Returns how many sessions ended."""
    return session.execute(delete(orm.WebSession).where(orm.WebSession.user_id == user_id)).rowcount or 0


def prune_sessions(session: Session) -> None:
    """Forget sessions idle for longer than the limit (they can never be used again)."""
    session.execute(delete(orm.WebSession).where(orm.WebSession.last_seen_at < utcnow() - IDLE_TIMEOUT))


__all__ = ["IDLE_TIMEOUT", "LiveSession", "end_session", "end_user_sessions", "live_session", "prune_sessions",
           "start_session", "touch_session"]
