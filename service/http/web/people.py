"""Who did it, in words a consultant reads: "Anne Hansen" rather than "user:anne", "sagssystemet" rather
than "token:3 case".

Stored runs, events and audit rows keep the actor string (the audit log needs the stable login); pages look
the names up once per request with `actor_names` and show them with the template filter `actor`.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import orm
from models.chunks import chunked

USER_PREFIX = "user:"
TOKEN_PREFIX = "token:"
# Actors that are programs, not people (service.cli, service.core.jobs).
SYSTEM_ACTORS = {"demo": "demo-kørslen", "cli": "genmatchning fra kommandolinjen",
                 "rematch": "den samlede genmatchning"}


def actor_names(session: Session, actors: Iterable[str | None]) -> dict[str, str]:
    """actor → display name for the users among `actors` that have a full name."""
    usernames = sorted({a[len(USER_PREFIX):] for a in actors if a and a.startswith(USER_PREFIX)})
    names: dict[str, str] = {}
    for chunk in chunked(usernames):
        rows = session.execute(select(orm.User.username, orm.User.full_name).where(orm.User.username.in_(chunk)))
        names.update({f"{USER_PREFIX}{username}": full_name for username, full_name in rows if full_name})
    return names


def actor_label(actor: str | None, names: dict[str, str] | None = None) -> str:
    """The name to show for a stored actor string."""
    if not actor:
        return "ukendt"
    if names and actor in names:
        return names[actor]
    if actor.startswith(USER_PREFIX):
        return actor[len(USER_PREFIX):]
    if actor.startswith(TOKEN_PREFIX):
        return "sagssystemet"
    return SYSTEM_ACTORS.get(actor, actor)


__all__ = ["actor_label", "actor_names"]
