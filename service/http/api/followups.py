"""Follow-ups (opfølgning): GET /followups, PATCH /followups/{id} and the iCalendar feed GET /followups.ics
(docs/lifecycle.md). Only the caller's jobcentres; every citizen a listing shows is logged as read."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import orm, placements
from service.core import lifecycle
from service.core.audit import audit_reads
from service.core.auth.principal import Principal
from service.core.calendar import followups_calendar
from service.http.api.common import endpoint_of
from service.http.api.lifecycle_schemas import FollowUpOut, FollowUpPatchIn, FollowUpsOut
from service.http.deps import CurrentPrincipal, DbSession, ScopedFollowUp
from service.http.problems import problem_responses

router = APIRouter(tags=["Opfølgning"])
State = Literal["open", "done", "all"]


def followup_out(followup: orm.FollowUp) -> FollowUpOut:
    return FollowUpOut(followup_id=followup.id, kind=followup.kind, due_date=followup.due_date,
                       citizen_id=followup.citizen_id, position_id=followup.position_id,
                       proposal_id=followup.proposal_id, employment_id=followup.employment_id,
                       detail=followup.detail, done_at=followup.done_at, note=followup.note)


def visible_followups(session: Session, principal: Principal, *, state: str,
                      due_before: date | None) -> tuple[list[orm.FollowUp], dict[int, str]]:
    centers = {c.id: c.name for c in session.scalars(select(orm.Jobcenter)) if principal.can_see(c.name)}
    return placements.followups(session, centers, state=state, due_before=due_before), centers


def _audit(session: Session, principal: Principal, request: Request, found: list[orm.FollowUp],
           centers: dict[int, str]) -> None:
    by_jobcenter: dict[str | None, list[str]] = {}
    for followup in found:
        by_jobcenter.setdefault(centers[followup.jobcenter_id], []).append(followup.citizen_id)
    audit_reads(session, principal, endpoint_of(request), by_jobcenter)


@router.get("/followups", response_model=FollowUpsOut, summary="Opfølgninger",
            responses=problem_responses(401, 422, 500))
def list_followups(request: Request, session: DbSession, principal: CurrentPrincipal,
                   due_before: Annotated[date | None, Query(description="Kun dem med forfaldsdato til og med denne dag")] = None,
                   state: Annotated[State, Query(description="`open` (standard), `done` eller `all`")] = "open",
                   ) -> FollowUpsOut:
    """Opfølgninger i dine jobcentre, tidligste forfaldsdato først. Forfaldsdatoer er arbejdsdage."""
    found, centers = visible_followups(session, principal, state=state, due_before=due_before)
    out = FollowUpsOut(followups=[followup_out(f) for f in found])
    _audit(session, principal, request, found, centers)
    return out


@router.get("/followups.ics", summary="Opfølgninger som kalender (iCalendar)",
            responses={200: {"content": {"text/calendar": {}}, "description": "RFC 5545-kalender"},
                       **problem_responses(401, 500)})
def followups_ics(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    """De åbne opfølgninger i dine jobcentre som heldagsbegivenheder på forfaldsdagen."""
    found, centers = visible_followups(session, principal, state="open", due_before=None)
    body = followups_calendar(found)
    _audit(session, principal, request, found, centers)
    return Response(content=body, media_type="text/calendar; charset=utf-8")


@router.patch("/followups/{followup_id}", response_model=FollowUpOut, summary="Markér en opfølgning som udført",
              responses=problem_responses(400, 401, 404, 413, 422, 500))
def patch_followup(followup: ScopedFollowUp, body: FollowUpPatchIn, request: Request, session: DbSession,
                   principal: CurrentPrincipal) -> FollowUpOut:
    lifecycle.close_followup(session, principal, followup, done=body.done, note=body.note,
                             endpoint=endpoint_of(request))
    out = followup_out(followup)
    session.commit()
    return out
