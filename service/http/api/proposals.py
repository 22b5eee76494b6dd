"""Outcomes per person (PATCH /proposals/{id}), undo (POST /proposals/{id}/undo) and a position's current and
outcome-bearing proposals (GET /positions/{id}/proposals): docs/lifecycle.md."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request
from sqlalchemy.orm import Session

from models import orm
from models.placements import OutcomeRequest
from service.core import lifecycle
from service.core.lifecycle import ProposalView
from service.http.api.common import endpoint_of, lifecycle_change
from service.http.api.lifecycle_schemas import (
    EventOut, OutcomeIn, PersonOut, PositionProposalsOut, ProposalOut, UndoIn,
)
from service.http.deps import CurrentPrincipal, DbSession, ScopedPosition, ScopedProposal
from service.http.problems import problem_responses

router = APIRouter(tags=["Matchforslag"])


def event_out(event: orm.ProposalEvent) -> EventOut:
    return EventOut(outcome=event.outcome, date=event.effective_date, end_date=event.end_date,
                    hours_per_week=event.hours_per_week, contract=event.contract, rejected_by=event.rejected_by,
                    reason=event.reason, actor=event.actor, at=event.at, annulled=event.annulled_at is not None,
                    annulled_at=event.annulled_at, annulled_by=event.annulled_by, annul_reason=event.annul_reason)


def proposal_out(view: ProposalView) -> ProposalOut:
    proposal = view.proposal
    people = [PersonOut(candidate_id=p.candidate_id, assignments=p.assignments, status=p.status,
                        history=[event_out(e) for e in lifecycle.person_history(proposal, p.candidate_id)])
              for p in proposal.persons]
    return ProposalOut(
        proposal_id=proposal.id, position_id=proposal.position_id, run_id=proposal.match_run_id,
        created_at=proposal.match_run.created_at, current=view.current, stale=view.stale, kind=proposal.kind,
        hours_covered=proposal.hours_covered, hours_requested=proposal.hours_requested, rank=proposal.rank,
        alternative=proposal.alternative, status=proposal.status, people=people, history=[event_out(e) for e in proposal.events])


def _view(session: Session, proposal: orm.Proposal) -> ProposalView:
    stale = proposal.id in lifecycle.stale_proposals(session, [proposal])
    return ProposalView(proposal, proposal.match_run.current, stale)


@router.patch("/proposals/{proposal_id}", response_model=ProposalOut,
              summary="Registrér et udfald for én person i et matchforslag",
              responses=problem_responses(400, 401, 404, 409, 413, 422, 500))
def record_outcome(proposal: ScopedProposal, request: Request, session: DbSession, principal: CurrentPrincipal,
                   body: Annotated[OutcomeIn, Body(openapi_examples={
                       "kontaktet": {"summary": "Virksomheden er kontaktet",
                                     "value": {"outcome": "contacted", "candidate_id": "B-7"}},
                       "ansat": {"summary": "Ansat i tidsbegrænset fleksjob",
                                 "value": {"outcome": "hired", "candidate_id": "B-7", "date": "2026-12-07",
                                           "hours_per_week": 6, "contract": "fixed_term", "end_date": "2027-06-07"}},
                       "afvist": {"summary": "Afslag fra virksomheden",
                                  "value": {"outcome": "rejected", "candidate_id": "B-7", "rejected_by": "employer",
                                            "reason": "Virksomheden kunne ikke tilbyde faste rutiner"}}})]
                   ) -> ProposalOut:
    """Udfaldet gælder én person (`candidate_id`, påkrævet når forslaget har flere). Kun tilladte skift
    (fx kontaktet → praktik → ansat); ellers 409 med nuværende og ønsket tilstand. `hired` opretter en
    ansættelse; `praktik` og `contacted` reserverer personen; `rejected` holder borgeren ude af stillingen."""
    request_ = OutcomeRequest(**body.model_dump())
    return lifecycle_change(
        session, lambda: lifecycle.record_outcome(session, principal, proposal, request_, endpoint=endpoint_of(request)),
        lambda: proposal_out(_view(session, proposal)))


@router.post("/proposals/{proposal_id}/undo", response_model=ProposalOut,
             summary="Fortryd en persons seneste udfald", responses=problem_responses(400, 401, 404, 409, 413, 422, 500))
def undo_outcome(proposal: ScopedProposal, request: Request, session: DbSession, principal: CurrentPrincipal,
                 body: UndoIn) -> ProposalOut:
    """Personens seneste udfald annulleres (det bevares i historikken, markeret annulleret), og dets
    følger rulles tilbage: en ansættelse annulleres, en reservation eller et afslag ophører."""
    return lifecycle_change(
        session, lambda: lifecycle.undo_outcome(session, principal, proposal, body.candidate_id, body.reason,
                                                endpoint=endpoint_of(request)),
        lambda: proposal_out(_view(session, proposal)))


@router.get("/positions/{id}/proposals", response_model=PositionProposalsOut,
            summary="Stillingens aktuelle forslag og ældre forslag med udfald",
            responses=problem_responses(401, 404, 422, 500))
def position_proposals(position: ScopedPosition, request: Request, session: DbSession,
                       principal: CurrentPrincipal) -> PositionProposalsOut:
    """Forslagene fra stillingens nyeste kørsel og alle ældre forslag, hvor nogen har et udfald. `stale`
    er sand, når stillingen eller en af borgerne er ændret efter kørslen."""
    views = lifecycle.position_proposals(session, position)
    out = PositionProposalsOut(position_id=position.id, proposals=[proposal_out(v) for v in views])
    lifecycle.audit_proposal_people(session, principal, [v.proposal for v in views], endpoint=endpoint_of(request))
    return out
