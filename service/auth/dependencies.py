"""FastAPI dependencies for sessions, authentication and tenant scoping.

Tenant scoping lives here and only here: routes never compare jobcentres themselves. They ask for a
`scoped_*` object (loaded by id and answered 404 when it is missing OR belongs to a jobcentre the principal
cannot see — the two cases are indistinguishable on purpose) or for `write_target` before an upsert.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from models import orm
from service.auth.principal import Principal
from service.auth.tokens import find_token, needs_touch, token_principal, touch_token
from service.problems import Problem

log = logging.getLogger("fleksmatch.auth")
bearer_scheme = HTTPBearer(auto_error=False, scheme_name="ApiToken",
                           description="API-nøgle oprettet med `fleksmatch token create`.")


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request. Routes commit what they mean to keep; anything uncommitted is rolled back.

    On SQLite a request that may write takes the write lock when its transaction begins, so concurrent
    writers queue instead of failing. Read requests stay lock-free; they commit their reads before writing
    the audit entry, so that entry's transaction starts with its write.

    Async on purpose: the exit (closing the session, returning its connection) then runs on the event loop.
    A sync generator's exit needs a free worker thread, and under load every worker can be waiting for a
    pooled connection that only such an exit would return."""
    factory = request.app.state.session_factory
    session = factory() if request.method in READ_METHODS else factory(bind=request.app.state.write_engine)
    try:
        yield session
    finally:
        session.close()


DbSession = Annotated[Session, Depends(get_session, scope="function")]


def current_principal(request: Request, session: DbSession,
                      credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]) -> Principal:
    if credentials is None or not credentials.credentials:
        raise Problem(401, headers={"WWW-Authenticate": "Bearer"})
    row = find_token(session, credentials.credentials)
    if row is None:
        raise Problem(401, "API-nøglen er ugyldig eller tilbagekaldt.",
                      headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    principal = token_principal(row)
    if needs_touch(row):
        _touch(session, row.id)
    request.state.principal = principal
    return principal


def _touch(session: Session, token_id: int) -> None:
    """Bookkeeping only: a lost update of last_used_at must never fail the request. Committed on its own
    (reads so far are ended first, so the update's transaction starts with its write)."""
    try:
        session.commit()
        touch_token(session, token_id)
        session.commit()
    except SQLAlchemyError:
        session.rollback()
        log.warning("last_used_at for API-nøgle %s blev ikke opdateret", token_id)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: str) -> Callable[[Principal], Principal]:
    def dependency(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise Problem(403, "Din rolle giver ikke adgang til denne handling.")
        return principal
    return dependency


AdminPrincipal = Annotated[Principal, Depends(require_roles("admin"))]


# ---- tenant scoping -----------------------------------------------------------------------------------

_LABELS: dict[type, str] = {
    orm.Citizen: "Borgeren", orm.Employer: "Virksomheden", orm.Position: "Stillingen",
    orm.Proposal: "Matchforslaget", orm.BatchJob: "Kørslen",
}


def jobcenter_of(session: Session, obj: Any) -> str | None:
    """The jobcentre that owns an object: the tenant boundary for every model the API exposes."""
    if isinstance(obj, (orm.Citizen, orm.Employer, orm.Position)):
        return obj.jobcenter.name
    if isinstance(obj, orm.Proposal):
        position = session.get(orm.Position, obj.position_id)
        return position.jobcenter.name if position else None
    if isinstance(obj, orm.BatchJob):
        return obj.jobcenter
    raise TypeError(f"no tenant rule for {type(obj).__name__}")


def not_found(model: type, object_id: str) -> Problem:
    return Problem(404, f"{_LABELS[model]} '{object_id}' findes ikke.")


def load_scoped(session: Session, principal: Principal, model: type, object_id: str) -> Any:
    """The object, or 404 if it does not exist or lies outside the principal's jobcentres."""
    obj = session.get(model, object_id)
    if obj is None or not principal.can_see(jobcenter_of(session, obj)):
        raise not_found(model, object_id)
    return obj


def write_target(session: Session, principal: Principal, model: type, object_id: str,
                 requested_jobcenter: str | None) -> tuple[Any | None, str]:
    """Before an upsert: the existing object (None if new) and the jobcentre the write goes to.

    An object of another jobcentre answers 404 like a missing one would on read. Moving an object to a
    jobcentre the principal cannot see is refused (403); so is a write whose jobcentre cannot be decided
    (422 naming the `jobcenter` field)."""
    existing = session.get(model, object_id)
    current = jobcenter_of(session, existing) if existing is not None else None
    if existing is not None and not principal.can_see(current):
        raise not_found(model, object_id)
    wanted = requested_jobcenter or current
    target = principal.target_jobcenter(wanted)
    if target is None:
        if wanted:
            raise Problem(403, f"Du har ikke adgang til jobcenter '{wanted}'.")
        raise Problem(422, "Angiv hvilket jobcenter objektet hører til.",
                      errors=[{"field": "jobcenter", "message": "feltet mangler; din adgang dækker flere jobcentre"}])
    return existing, target


def _scoped(model: type) -> Callable[..., Any]:
    def dependency(session: DbSession, principal: CurrentPrincipal,
                   id: Annotated[str, Path(min_length=1, max_length=64, pattern=r"\S",
                                           description="Id fra sagssystemet")]) -> Any:
        return load_scoped(session, principal, model, id)
    return dependency


ScopedCitizen = Annotated[orm.Citizen, Depends(_scoped(orm.Citizen))]
ScopedEmployer = Annotated[orm.Employer, Depends(_scoped(orm.Employer))]
ScopedPosition = Annotated[orm.Position, Depends(_scoped(orm.Position))]


def _scoped_proposal(session: DbSession, principal: CurrentPrincipal,
                     proposal_id: Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[0-9a-f]+$",
                                                      description="Matchforslagets id")]) -> orm.Proposal:
    return load_scoped(session, principal, orm.Proposal, proposal_id)


def _scoped_job(session: DbSession, principal: CurrentPrincipal,
                job_id: Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[0-9a-f]+$",
                                            description="Kørslens id")]) -> orm.BatchJob:
    return load_scoped(session, principal, orm.BatchJob, job_id)


ScopedProposal = Annotated[orm.Proposal, Depends(_scoped_proposal)]
ScopedJob = Annotated[orm.BatchJob, Depends(_scoped_job)]

__all__ = [
    "AdminPrincipal", "CurrentPrincipal", "DbSession", "ScopedCitizen", "ScopedEmployer", "ScopedJob",
    "ScopedPosition", "ScopedProposal", "bearer_scheme", "current_principal", "get_session", "jobcenter_of",
    "load_scoped", "require_roles", "write_target",
]
