"""FastAPI dependencies for sessions, authentication and tenant scoping.

Tenant scoping lives here and only here: routes never compare jobcentres themselves. They ask for a
`scoped_*` object (loaded by id and answered 404 when it is missing OR belongs to a jobcentre the principal
cannot see — the two cases are indistinguishable on purpose) or for `write_target` before an upsert.
A route that does all its work in one worker-thread hop calls `authenticate` and `load_citizen_ref`,
`load_position_version` or `load_scoped` itself, which apply the same rules.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import bindparam, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from models.errors import ID_PATTERN
from models import orm
from service.core.auth.principal import Principal
from service.core.auth.tokens import find_grant, needs_touch, touch_token
from service.http.problems import Problem

log = logging.getLogger("fleksmatch.auth")
bearer_scheme = HTTPBearer(auto_error=False, scheme_name="ApiToken",
                           description="API-nøgle oprettet med `fleksmatch token create`.")


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_READS_FIRST = "__fleksmatch_reads_first__"
F = TypeVar("F", bound=Callable[..., Any])


def reads_before_writing(endpoint: F) -> F:
    """Mark a write route that reads (and computes) first and writes only inside
    service.core.transactions.write_transaction: its session then starts without the write lock, so
    matching never holds SQLite's single writer. Put it below the @router decorator."""
    setattr(endpoint, _READS_FIRST, True)
    return endpoint


def end_dependency_transaction(request: Request, session: Session) -> None:
    """Called at the end of every sync dependency: on a session that takes the write lock up front, commit
    what the dependency read. The route runs on another worker thread; were the lock held across that hop
    and every worker thread busy waiting for the lock (other writers, audit entries), the route could never
    run to release it. The route's own transaction takes the lock afresh, so its reads and writes stay one
    atomic unit."""
    if session.in_transaction() and _takes_write_lock_up_front(request):
        session.commit()


def _takes_write_lock_up_front(request: Request) -> bool:
    if request.method in READ_METHODS:
        return False
    endpoint = getattr(request.scope.get("route"), "endpoint", None)
    return not getattr(endpoint, _READS_FIRST, False)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request. Routes commit what they mean to keep; anything uncommitted is rolled back.

    On SQLite a request that may write takes the write lock when its transaction begins, so concurrent
    writers queue instead of failing. Read requests stay lock-free; they commit their reads before writing
    the audit entry, so that entry's transaction starts with its write. Routes marked
    `reads_before_writing` also start lock-free and take the lock for their writes only.

    Async on purpose: the exit (closing the session, returning its connection) then runs on the event loop.
    A sync generator's exit needs a free worker thread, and under load every worker can be waiting for a
    pooled connection that only such an exit would return."""
    factory = request.app.state.session_factory
    if _takes_write_lock_up_front(request):
        session = factory(bind=request.app.state.write_engine)
    else:
        session = factory()
    try:
        yield session
    finally:
        session.close()


DbSession = Annotated[Session, Depends(get_session, scope="function")]


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]


def authenticate(request: Request, session: Session, credentials: HTTPAuthorizationCredentials | None) -> Principal:
    """The principal of the request's bearer token (401 without a valid one). Looked up once per request:
    a second dependency asking again gets the same answer without another query."""
    known = getattr(request.state, "principal", None)
    if known is not None:
        return known
    if credentials is None or not credentials.credentials:
        raise Problem(401, headers={"WWW-Authenticate": "Bearer"})
    grant = find_grant(session, credentials.credentials)
    if grant is None:
        raise Problem(401, "API-nøglen er ugyldig, udløbet eller tilbagekaldt.",
                      headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    if needs_touch(grant):
        _touch(session, grant.token_id)
    request.state.principal = grant.principal
    return grant.principal


def current_principal(request: Request, session: DbSession, credentials: Credentials) -> Principal:
    principal = authenticate(request, session, credentials)
    end_dependency_transaction(request, session)
    return principal


def _touch(session: Session, token_id: int) -> None:
    commit_bookkeeping(session, lambda: touch_token(session, token_id), log,
                       "last_used_at for API-nøgle %s blev ikke opdateret", token_id)


def commit_bookkeeping(session: Session, update: Callable[[], None], logger: logging.Logger,
                       failure: str, *failure_args: Any) -> None:
    """Bookkeeping only (a token's last use, a web session's last activity): a lost update must never fail
    the request, so it is logged instead. Committed on its own (reads so far are ended first, so the
    update's transaction starts with its write)."""
    try:
        session.commit()
        update()
        session.commit()
    except SQLAlchemyError:
        session.rollback()
        logger.warning(failure, *failure_args)


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
    orm.Proposal: "Matchforslaget", orm.BatchJob: "Kørslen", orm.Employment: "Ansættelsen",
    orm.FollowUp: "Opfølgningen",
}


def jobcenter_of(session: Session, obj: Any) -> str | None:
    """The jobcentre that owns an object: the tenant boundary for every model the API exposes."""
    if isinstance(obj, (orm.Citizen, orm.Employer, orm.Position)):
        return obj.jobcenter.name
    if isinstance(obj, orm.Proposal):
        # A proposal belongs to the jobcentre its run was made for, even after its position moved: it
        # names that jobcentre's citizens.
        run = session.get(orm.MatchRun, obj.match_run_id)
        if run is not None and run.jobcenter_id is not None:
            centre = session.get(orm.Jobcenter, run.jobcenter_id)
            return centre.name if centre else None
        position = session.get(orm.Position, obj.position_id)
        return position.jobcenter.name if position else None
    if isinstance(obj, orm.BatchJob):
        return obj.jobcenter
    if isinstance(obj, (orm.Employment, orm.FollowUp)):
        center = session.get(orm.Jobcenter, obj.jobcenter_id)
        return center.name if center else None
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
    if requested_jobcenter and not principal.can_see(requested_jobcenter):
        # Decided before the id is looked up: a foreign id and an unknown one must get the same answer.
        raise Problem(403, f"Du har ikke adgang til jobcenter '{requested_jobcenter}'.")
    existing = session.get(model, object_id)
    current = jobcenter_of(session, existing) if existing is not None else None
    if existing is not None and not principal.can_see(current):
        raise not_found(model, object_id)
    return existing, target_jobcenter(principal, requested_jobcenter or current,
                                      "Angiv hvilket jobcenter objektet hører til.")


def target_jobcenter(principal: Principal, wanted: str | None, missing_message: str) -> str:
    """The jobcentre a write goes to: the wanted one, or the principal's only one when none is named.
    403 for a jobcentre the principal cannot see; 422 naming the `jobcenter` field (with `missing_message`)
    when none is named and the principal's access covers several."""
    target = principal.target_jobcenter(wanted)
    if target is None:
        if wanted:
            raise Problem(403, f"Du har ikke adgang til jobcenter '{wanted}'.")
        raise Problem(422, missing_message,
                      errors=[{"field": "jobcenter", "message": "feltet mangler; din adgang dækker flere jobcentre"}])
    return target


IdParam = Annotated[str, Path(min_length=1, max_length=64, pattern=ID_PATTERN, description="Id fra sagssystemet")]


def _scoped(model: type) -> Callable[..., Any]:
    # Authenticates itself (instead of depending on current_principal): one worker-thread hop, not two.
    def dependency(request: Request, session: DbSession, credentials: Credentials, id: IdParam) -> Any:
        obj = load_scoped(session, authenticate(request, session, credentials), model, id)
        end_dependency_transaction(request, session)
        return obj
    return dependency


ScopedCitizen = Annotated[orm.Citizen, Depends(_scoped(orm.Citizen))]
ScopedEmployer = Annotated[orm.Employer, Depends(_scoped(orm.Employer))]
ScopedPosition = Annotated[orm.Position, Depends(_scoped(orm.Position))]


@dataclass(frozen=True)
class CitizenRef:
    """A citizen the principal may see, without its data: enough to find cached work for it."""

    id: str
    jobcenter: str
    updated_at: datetime


_CITIZEN_REF_QUERY = (select(orm.Citizen.id, orm.Jobcenter.name.label("jobcenter"), orm.Citizen.updated_at)
                      .join(orm.Jobcenter, orm.Citizen.jobcenter_id == orm.Jobcenter.id)
                      .where(orm.Citizen.id == bindparam("object_id")))


def _visible_row(session: Session, principal: Principal, model: type, query: Any, object_id: str) -> Any:
    """load_scoped as one Core query (`object_id` bound, the jobcentre's name labelled `jobcenter`): the row's
    columns by label, 404 when missing or outside the principal's jobcentres."""
    row = session.connection().execute(query, {"object_id": object_id}).one_or_none()
    if row is None or not principal.can_see(row.jobcenter):
        raise not_found(model, object_id)
    return row._mapping


def load_citizen_ref(session: Session, principal: Principal, citizen_id: str) -> CitizenRef:
    """load_scoped for a citizen as one Core query: 404 when missing or outside the principal's jobcentres."""
    return CitizenRef(**_visible_row(session, principal, orm.Citizen, _CITIZEN_REF_QUERY, citizen_id))


@dataclass(frozen=True)
class PositionVersion:
    """A position the principal may see, by what its answer depends on (no tasks loaded)."""

    id: str
    jobcenter: str
    updated_at: datetime
    employer_id: str
    employer_updated_at: datetime
    status: str
    lifecycle_changed_at: datetime | None

    @property
    def key(self) -> tuple[Any, ...]:
        """As service.core.pool_cache.position_version_key computes it from a loaded row."""
        return ("position", self.id, self.updated_at, self.jobcenter, self.employer_id, self.employer_updated_at,
                self.status, self.lifecycle_changed_at, date.today())


_POSITION_VERSION_QUERY = (
    select(orm.Position.id, orm.Jobcenter.name.label("jobcenter"), orm.Position.updated_at, orm.Position.employer_id,
           orm.Employer.updated_at.label("employer_updated_at"), orm.Position.status,
           orm.Jobcenter.lifecycle_changed_at)
    .join(orm.Jobcenter, orm.Position.jobcenter_id == orm.Jobcenter.id)
    .join(orm.Employer, orm.Position.employer_id == orm.Employer.id)
    .where(orm.Position.id == bindparam("object_id")))


def load_position_version(session: Session, principal: Principal, position_id: str) -> PositionVersion:
    """load_scoped for a position as one Core query: 404 when missing or outside the principal's jobcentres."""
    return PositionVersion(**_visible_row(session, principal, orm.Position, _POSITION_VERSION_QUERY, position_id))


@dataclass(frozen=True)
class PositionAccess:
    principal: Principal
    position: orm.Position


def _position_access(request: Request, session: DbSession, credentials: Credentials,
                     id: IdParam) -> PositionAccess:
    principal = authenticate(request, session, credentials)
    return PositionAccess(principal, load_scoped(session, principal, orm.Position, id))


# The principal and the scoped position from one dependency: one worker-thread hop, not two.
ScopedPositionAccess = Annotated[PositionAccess, Depends(_position_access)]


def _scoped_by_hex_id(model: type, parameter: str, description: str) -> Callable[..., Any]:
    """The dependency loading a scoped object by the hex id in path parameter `parameter` (the alias keeps
    the parameter's name in the route and the OpenAPI document)."""
    def dependency(request: Request, session: DbSession, principal: CurrentPrincipal, object_id: str) -> Any:
        obj = load_scoped(session, principal, model, object_id)
        end_dependency_transaction(request, session)
        return obj
    # Set as an object, not a string annotation: FastAPI cannot resolve the factory's local names.
    dependency.__annotations__["object_id"] = Annotated[str, Path(
        alias=parameter, min_length=1, max_length=32, pattern=r"^[0-9a-f]+$", description=description)]
    return dependency


ScopedProposal = Annotated[orm.Proposal, Depends(_scoped_by_hex_id(orm.Proposal, "proposal_id", "Matchforslagets id"))]
ScopedJob = Annotated[orm.BatchJob, Depends(_scoped_by_hex_id(orm.BatchJob, "job_id", "Kørslens id"))]
ScopedEmployment = Annotated[orm.Employment,
                             Depends(_scoped_by_hex_id(orm.Employment, "employment_id", "Ansættelsens id"))]
ScopedFollowUp = Annotated[orm.FollowUp, Depends(_scoped_by_hex_id(orm.FollowUp, "followup_id", "Opfølgningens id"))]

__all__ = [
    "AdminPrincipal", "CitizenRef", "Credentials", "CurrentPrincipal", "DbSession", "PositionAccess",
    "PositionVersion", "ScopedCitizen", "ScopedEmployer", "ScopedEmployment", "ScopedFollowUp", "ScopedJob", "ScopedPosition", "ScopedPositionAccess",
    "ScopedProposal", "authenticate", "bearer_scheme", "commit_bookkeeping", "current_principal", "end_dependency_transaction",
    "get_session", "jobcenter_of", "load_citizen_ref", "load_position_version", "load_scoped",
    "reads_before_writing", "require_roles", "target_jobcenter", "write_target",
]
