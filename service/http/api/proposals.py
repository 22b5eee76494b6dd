"""PATCH /api/v1/proposals/{proposal_id}: record an outcome, keeping the full history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request

from models import orm, store
from service.http.api.common import endpoint_of, value_problem
from service.http.api.schemas import OutcomeIn, ProposalEventOut, ProposalOut
from service.core.audit import audit_many
from service.http.deps import CurrentPrincipal, DbSession, ScopedProposal, jobcenter_of
from service.http.problems import problem_responses

router = APIRouter(tags=["Matchforslag"])


def proposal_out(proposal: orm.Proposal) -> ProposalOut:
    return ProposalOut(
        proposal_id=proposal.id, position_id=proposal.position_id, run_id=proposal.match_run_id,
        current=proposal.match_run.current, kind=proposal.kind, people=proposal.people,
        hours_covered=proposal.hours_covered, hours_requested=proposal.hours_requested, rank=proposal.rank,
        status=proposal.status,
        history=[ProposalEventOut(outcome=e.outcome, reason=e.reason, actor=e.actor, at=e.at) for e in proposal.events])


@router.patch("/proposals/{proposal_id}", response_model=ProposalOut, summary="Registrér udfaldet af et matchforslag",
              responses=problem_responses(400, 401, 404, 413, 422, 500))
def record_outcome(proposal: ScopedProposal, request: Request, session: DbSession, principal: CurrentPrincipal,
                   body: Annotated[OutcomeIn, Body(openapi_examples={
                       "kontaktet": {"summary": "Virksomheden er kontaktet", "value": {"outcome": "contacted"}},
                       "afvist": {"summary": "Afslag med begrundelse",
                                  "value": {"outcome": "rejected", "reason": "Virksomheden kunne ikke tilbyde faste rutiner"}}})]
                   ) -> ProposalOut:
    """Tilføjer udfaldet til forslagets historik (hvem, hvornår, begrundelse) og gør det til forslagets status."""
    try:
        store.record_proposal_outcome(session, proposal.id, body.outcome, actor=principal.actor, reason=body.reason)
    except ValueError as exc:
        raise value_problem(exc, "reason") from None
    citizens = [person.get("candidate_id") for person in proposal.people]
    audit_many(session, principal, "update", endpoint_of(request), citizens, jobcenter=jobcenter_of(session, proposal),
               detail=f"udfald: {body.outcome}")
    out = proposal_out(proposal)
    session.commit()
    return out
