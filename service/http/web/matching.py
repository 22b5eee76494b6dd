"""'Find kandidater' from the consultant UI: the shared service.core.matching, with the app's pool cache."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session

from models import orm
from models.schemas import MatchOptions, MatchResponse
from service.core.auth.principal import Principal
from service.core.matching import match_and_store

# The ranking stored for the stilling page: enough for "vis flere" and the filters (the page shows ten at a
# time); every exclusion is kept for "Hvorfor ikke".
UI_RANKING_LIMIT = 50
UI_OPTIONS = MatchOptions(limit=UI_RANKING_LIMIT, include_excluded=True, proposals=True)


def match_position(request: Request, session: Session, principal: Principal, row: orm.Position) -> MatchResponse:
    """Match and store (committed), holding the write lock only to store: see match_and_store."""
    _, response = match_and_store(session, principal, row, cache=getattr(request.app.state, "pool_cache", None),
                                  options=UI_OPTIONS, source="ui", endpoint=f"POST /stillinger/{row.id}/match")
    return response
