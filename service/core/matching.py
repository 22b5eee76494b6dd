"""Matching one stored position against the available pool of its jobcentre, and storing the run.

Shared by the API (POST /api/v1/positions/{id}/proposals) and the consultant UI ("Find kandidater"), so a
consultant and the case system always see the same ranking and proposals for the same data.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from matcher import PoolIndex, rank
from matcher.split import split_position
from models import orm, store
from models.schemas import MatchOptions, MatchResponse
from service.core.audit import audit_many
from service.core.auth.principal import Principal


class PositionNotOpen(ValueError):
    """Only open positions are matched; the message is Danish."""


def citizens_in(response: MatchResponse) -> list[str]:
    """Every citizen whose data the response carries (for the audit log)."""
    ids = [entry.candidate_id for entry in response.ranking] + [entry.candidate_id for entry in response.excluded]
    ids += [person.candidate_id for proposal in response.proposals for person in proposal.people]
    return ids


def match_stored_position(session: Session, principal: Principal, position_row: orm.Position, *,
                          index: PoolIndex | None = None, options: MatchOptions | None = None, source: str,
                          endpoint: str) -> tuple[orm.MatchRun, MatchResponse]:
    """Rank the jobcentre's available citizens for the position, propose one person or a split (OR-Tools),
    store the run as the position's current one and log the citizens matched. Does not commit.
    `index` lets a caller pass a cached PoolIndex of the jobcentre's available citizens."""
    response = compute_match(session, position_row, index=index, options=options)
    return store_match(session, principal, position_row, response, source=source, endpoint=endpoint), response


def compute_match(session: Session, position_row: orm.Position, *, index: PoolIndex | None = None,
                  options: MatchOptions | None = None) -> MatchResponse:
    """The matching half of match_stored_position: reads (the pool, when no index is given), never writes,
    so a caller can run it before taking the database's write lock."""
    if position_row.status != "open":
        raise PositionNotOpen(f"Stillingen '{position_row.id}' er ikke åben (status: {position_row.status}).")
    position = store.position_to_schema(position_row)
    if index is None:
        index = PoolIndex.build(store.available_candidates(session, position_row.jobcenter.name))
    options = options or MatchOptions()
    ranking, excluded, pairs = rank(position, index, options)
    return MatchResponse(position_id=position.id, ranking=ranking, excluded=excluded,
                         proposals=split_position(position, pairs, top_k=options.top_k))


def store_match(session: Session, principal: Principal, position_row: orm.Position, response: MatchResponse, *,
                source: str, endpoint: str) -> orm.MatchRun:
    """The storing half of match_stored_position: the run as the position's current one, and the audit
    entries of every citizen it carries. Does not commit."""
    run = store.store_match_run(session, position_row.id, response, source=source, created_by=principal.actor)
    audit_many(session, principal, "match", endpoint, citizens_in(response), jobcenter=position_row.jobcenter.name)
    return run


__all__ = ["PositionNotOpen", "citizens_in", "compute_match", "match_stored_position", "store_match"]
