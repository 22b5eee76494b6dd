"""API tokens: random bearer secrets that are shown once and stored only as a SHA-256 hash.

A token has 256 bits of randomness, so a fast unsalted hash is enough: nobody can guess the preimage,
and a lookup by hash needs no per-row salt. The plain token never touches the database or a log.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from models import orm
from service.core.auth.principal import Principal, role_problem

TOKEN_PREFIX = "fm_"
TOKEN_BYTES = 32


def generate_token() -> str:
    """A new secret, URL-safe, recognisable by its prefix (so secret scanners can find leaked ones)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def verify_token(token: str, token_hash: str) -> bool:
    """Constant-time comparison of a presented token with a stored hash."""
    return hmac.compare_digest(hash_token(token), token_hash)


def looks_like_token(token: str) -> bool:
    """Cheap shape check before touching the database."""
    return token.startswith(TOKEN_PREFIX) and 20 <= len(token) <= 200




# ---- stored tokens ------------------------------------------------------------------------------------

# last_used_at is bookkeeping, not security: writing it on every request would serialise all requests
# on SQLite's single writer, so it is refreshed at most this often.
LAST_USED_RESOLUTION = timedelta(minutes=10)


def create_api_token(session: Session, *, role: str, jobcenters: list[str], name: str = "",
                     expires_at: datetime | None = None) -> tuple[orm.ApiToken, str]:
    """Store a new token (hash only) and return the row and the plain token, which is shown once.
    `expires_at` None: the token never expires."""
    jobcenters = sorted({j.strip() for j in jobcenters if j.strip()})
    problem = role_problem(role, jobcenters)
    if problem:
        raise ValueError(problem)
    token = generate_token()
    row = orm.ApiToken(name=name.strip(), token_hash=hash_token(token), role=role,
                       jobcenters=[] if role == "admin" else jobcenters, created_at=orm.utcnow(),
                       expires_at=expires_at)
    session.add(row)
    session.flush()
    return row, token


def token_principal(row: orm.ApiToken) -> Principal:
    actor = f"token:{row.id}" + (f" {row.name}" if row.name else "")
    return Principal(actor=actor[:100], role=row.role, jobcenters=frozenset(row.jobcenters or ()))


def find_token(session: Session, token: str) -> orm.ApiToken | None:
    """The valid, unrevoked token row for a presented token, or None. Reads only."""
    if not looks_like_token(token):
        return None
    row = session.scalars(select(orm.ApiToken).where(orm.ApiToken.token_hash == hash_token(token))).one_or_none()
    if row is None or not usable(row) or not verify_token(token, row.token_hash):
        return None
    return row


def usable(row: orm.ApiToken | Any) -> bool:
    """Neither revoked nor expired."""
    return not row.revoked and (row.expires_at is None or row.expires_at > orm.utcnow())


@dataclass(frozen=True)
class TokenGrant:
    """What a valid token grants, as read for one request."""

    token_id: int
    principal: Principal
    last_used_at: datetime | None


# Built once: every API request runs it, and only its parameter changes.
_GRANT_QUERY = (select(orm.ApiToken.id, orm.ApiToken.name, orm.ApiToken.role, orm.ApiToken.jobcenters,
                       orm.ApiToken.last_used_at, orm.ApiToken.revoked, orm.ApiToken.token_hash,
                       orm.ApiToken.expires_at)
                .where(orm.ApiToken.token_hash == bindparam("token_hash")))


def find_grant(session: Session, token: str) -> TokenGrant | None:
    """Like find_token, as one Core query on the session's connection (no ORM object is built). Nothing is
    cached: a revoked token is refused from the next request on, in every process."""
    if not looks_like_token(token):
        return None
    row = session.connection().execute(_GRANT_QUERY, {"token_hash": hash_token(token)}).one_or_none()
    if row is None or not usable(row) or not verify_token(token, row.token_hash):
        return None
    return TokenGrant(token_id=row.id, principal=token_principal(row), last_used_at=row.last_used_at)


def principal_for_token(session: Session, token: str) -> Principal | None:
    grant = find_grant(session, token)
    return grant.principal if grant is not None else None


def needs_touch(row: orm.ApiToken | TokenGrant) -> bool:
    return row.last_used_at is None or orm.utcnow() - row.last_used_at > LAST_USED_RESOLUTION


def list_tokens(session: Session) -> list[orm.ApiToken]:
    """Every token, newest first (hashes only; the tokens themselves were shown once)."""
    return list(session.scalars(select(orm.ApiToken).order_by(orm.ApiToken.id.desc())))


def revoke_token(session: Session, token_id: int) -> orm.ApiToken | None:
    """Revoke a token from the next request on, in every process. None when there is no such token."""
    row = session.get(orm.ApiToken, token_id)
    if row is not None:
        row.revoked = True
        session.flush()
    return row


def touch_token(session: Session, token_id: int) -> None:
    """Record use of a token. Run in its own short transaction: the request's own transaction stays
    read-only until it means to write."""
    session.execute(update(orm.ApiToken).where(orm.ApiToken.id == token_id).values(last_used_at=orm.utcnow()))


__all__ = ["TOKEN_PREFIX", "TokenGrant", "create_api_token", "find_grant", "find_token", "generate_token",
           "hash_token", "list_tokens", "looks_like_token", "needs_touch", "principal_for_token", "revoke_token",
           "token_principal", "touch_token", "usable", "verify_token"]
