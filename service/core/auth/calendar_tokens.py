"""The secret in a consultant's follow-up calendar URL (Outlook subscribes to a URL and cannot log in).

Only the sha256 of the secret is stored (users.calendar_token_hash); the secret itself is shown once, when it
is made. Renewing replaces the hash, so the old URL stops working at once. A deactivated user's URL stops
working too.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import orm
from service.core.auth.tokens import generate_token, hash_token, looks_like_token


def renew_calendar_token(session: Session, user: orm.User) -> str:
    """A new secret for the user's calendar URL (the previous one no longer works). Does not commit."""
    secret = generate_token()
    user.calendar_token_hash = hash_token(secret)
    session.flush()
    return secret


def calendar_user(session: Session, secret: str) -> orm.User | None:
    """The active user whose calendar URL carries `secret`, or None."""
    if not looks_like_token(secret):
        return None
    return session.scalar(select(orm.User).where(orm.User.calendar_token_hash == hash_token(secret),
                                                 orm.User.active.is_(True)))


__all__ = ["calendar_user", "renew_calendar_token"]
