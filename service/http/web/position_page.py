"""What the stilling page shows beside the proposals themselves: the candidate list with filter, sort and
"vis flere", "Hvorfor dette forslag" per proposal, "Hvorfor ikke" one line per reason, and people's names.
Kept apart from service.http.web.positions so the page's parts can change independently."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from models import orm
from models.schemas import Position
from service.core.auth.principal import Principal
from service.http.web.candidates import CandidateQuery, candidate_panel
from service.http.web.people import actor_names
from service.http.web.proposal_why import proposal_explanations
from service.http.web.reason_text import exclusion_lines
from service.http.web.views import MatchView


def detail_additions(request: Request, session: Session, principal: Principal, run: orm.MatchRun | None,
                     view: MatchView | None, position: Position, citizens: dict[str, orm.Citizen]) -> dict[str, Any]:
    """Context entries for position_detail.html's partials (_candidates.html, _proposal_why.html,
    _why_not.html); empty when the stilling has not been matched."""
    if run is None or view is None:
        return {"actor_names": {}}
    actors = [run.created_by, *(event.actor for proposal in run.proposals for event in proposal.events)]
    return {
        "candidates": candidate_panel(view.ranking, citizens, position, CandidateQuery.from_params(request.query_params)),
        "proposal_why": proposal_explanations(session, principal, run, position, view.ranking, view.capacities),
        "why_not": {excluded.candidate_id: exclusion_lines(excluded.reasons, position) for excluded in view.excluded},
        "actor_names": actor_names(session, actors),
        "run_source": run.source,
    }


__all__ = ["detail_additions"]
