"""Matching one stored position against the available pool of its jobcentre, and storing the run.

Shared by the API (POST /api/v1/positions/{id}/proposals) and the consultant UI ("Find kandidater"), so a
consultant and the case system always see the same ranking and proposals for the same data.
"""

from __future__ import annotations

import time

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matcher import rank
from matcher.split import split_position
from matcher.supply import PositionFit, rank_positions
from models import orm, store
from models.schemas import MatchOptions, MatchResponse
from models.vocabulary import PositionStatus
from service.core.audit import audit_many
from service.core.auth.principal import Principal
from service.core import pool
from service.core.pool import MatchPool, OpenSide
from service.core.metrics import metrics
from service.core.pool_cache import PoolCache, citizen_fingerprint
from service.core.transactions import write_transaction

# A position or its jobcentre's pool that changes while a match is computed is matched again, this often.
MATCH_ATTEMPTS = 3


class PositionNotOpen(ValueError):
    """Only open positions are matched; the message is Danish."""


class MatchConflict(RuntimeError):
    """The match could not be stored because the position or the pool kept changing, or another run was
    stored at the same moment; the message is Danish and asks to try again."""


class PositionGone(LookupError):
    """The position was deleted or moved out of the caller's jobcentres while it was being matched."""


def citizens_in(response: MatchResponse) -> list[str]:
    """Every citizen whose data the response carries (for the audit log)."""
    ids = [entry.candidate_id for entry in response.ranking] + [entry.candidate_id for entry in response.excluded]
    ids += [person.candidate_id for proposal in response.proposals for person in proposal.people]
    return ids


def match_stored_position(session: Session, principal: Principal, position_row: orm.Position, *,
                          match_pool: MatchPool | None = None, options: MatchOptions | None = None, source: str,
                          endpoint: str) -> tuple[orm.MatchRun, MatchResponse]:
    """Rank the jobcentre's available citizens for what is left of the position, propose one person or a
    split (OR-Tools), store the run as the position's current one and log the citizens matched. Does not
    commit. `match_pool` lets a caller pass the cached pool of the jobcentre."""
    response = compute_match(session, position_row, match_pool=match_pool, options=options)
    return store_match(session, principal, position_row, response, source=source, endpoint=endpoint), response


def compute_match(session: Session, position_row: orm.Position, *, match_pool: MatchPool | None = None,
                  options: MatchOptions | None = None) -> MatchResponse:
    """The matching half of match_stored_position: reads (the pool, when none is given), never writes, so a
    caller can run it before taking the database's write lock. Only the position's residual is matched
    (service.core.pool): hours filled or held, and people already there, are taken out first."""
    if position_row.status != PositionStatus.open:
        label = PositionStatus.label_of(position_row.status).lower()
        raise PositionNotOpen(f"Stillingen '{position_row.id}' er ikke åben (status: {label}).")
    match_pool = match_pool or pool.load_match_pool(session, position_row.jobcenter.name)
    position = store.position_to_schema(position_row)
    left = pool.residual(position, match_pool.state)
    if left is None:
        raise PositionNotOpen(pool.nothing_left_reason(position, match_pool.state))
    options = options or MatchOptions()
    ranking, excluded, pairs = rank(left, match_pool.index, options, blocks=match_pool.blocks)
    return MatchResponse(position_id=position.id, ranking=ranking, excluded=excluded,
                         proposals=split_position(left, pairs, top_k=options.top_k))


def store_match(session: Session, principal: Principal, position_row: orm.Position, response: MatchResponse, *,
                source: str, endpoint: str) -> orm.MatchRun:
    """The storing half of match_stored_position: the run as the position's current one, and the audit
    entries of every citizen it carries. Does not commit."""
    run = store.store_match_run(session, position_row.id, response, source=source, created_by=principal.actor)
    audit_many(session, principal, "match", endpoint, citizens_in(response), jobcenter=position_row.jobcenter.name)
    return run


_POSITION_STAMP = (select(orm.Position.status, orm.Position.updated_at, orm.Position.jobcenter_id,
                          orm.Employer.updated_at)
                   .join(orm.Employer, orm.Position.employer_id == orm.Employer.id)
                   .where(orm.Position.id == bindparam("position_id")))


def _stamp(row: orm.Position) -> tuple:
    """What the position's match depends on, as loaded (compared with _POSITION_STAMP before storing)."""
    return (row.status, row.updated_at, row.jobcenter_id, row.employer.updated_at)


def match_and_store(session: Session, principal: Principal, row: orm.Position, *, cache: PoolCache | None,
                    options: MatchOptions, source: str, endpoint: str) -> tuple[orm.MatchRun, MatchResponse]:
    """Match the stored position and store the run, holding the database's write lock only to store it.

    Matching reads only and runs without the write lock; the run is stored only if neither the position
    nor the pool changed meanwhile, else it is matched again on the new data (MATCH_ATTEMPTS times). Commits.
    Raises PositionNotOpen, MatchConflict, or PositionGone (deleted or moved away meanwhile)."""
    started = time.perf_counter()
    for _ in range(MATCH_ATTEMPTS):
        jobcenter, stamp = row.jobcenter.name, _stamp(row)
        if cache is not None:
            pool_version, match_pool = cache.versioned_match_pool(session, jobcenter)
        else:
            pool_version, match_pool = citizen_fingerprint(session, jobcenter), None
        response = compute_match(session, row, match_pool=match_pool, options=options)
        try:
            with write_transaction(session):
                stored_stamp = session.connection().execute(_POSITION_STAMP, {"position_id": row.id}).one_or_none()
                if tuple(stored_stamp or ()) == stamp and citizen_fingerprint(session, jobcenter) == pool_version:
                    run = store_match(session, principal, row, response, source=source, endpoint=endpoint)
                    counters = metrics()
                    counters.matches.labels(kind="stored").inc()
                    counters.match_seconds.labels(kind="stored").observe(time.perf_counter() - started)
                    return run, response
        except IntegrityError:
            raise MatchConflict("En anden matchkørsel for stillingen blev gemt samtidig; prøv igen.") from None
        session.expire_all()
        row = session.get(orm.Position, row.id)
        if row is None or not principal.can_see(row.jobcenter.name):
            raise PositionGone("Stillingen findes ikke.")
    raise MatchConflict("Stillingen eller puljen blev ændret under matchningen; prøv igen.")


def rank_for_citizen(session: Session, citizen: orm.Citizen, *, side: OpenSide | None = None,
                     limit: int = 10) -> tuple[list[PositionFit], OpenSide]:
    """Supply-led: the open positions (what is left of them) that fit the citizen best, as matching sees the
    citizen today; none while they are employed and not seeking more hours, or held by a praktik or a contact."""
    side = side or pool.load_open_side(session, citizen.jobcenter.name)
    if not pool.available_status(citizen, side.state):
        return [], side
    candidates = pool.matchable([store.citizen_to_candidate(citizen)], side.state)
    if not candidates:
        return [], side
    return rank_positions(candidates[0], side.columns, limit=limit, blocks=side.blocks), side


__all__ = ["MATCH_ATTEMPTS", "MatchConflict", "PositionGone", "PositionNotOpen", "citizens_in", "compute_match",
           "match_and_store", "match_stored_position", "rank_for_citizen", "store_match"]
