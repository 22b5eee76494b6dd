"""Employments (ansættelser): end one (PATCH /employments/{id}) and record paid hours per month
(PUT /employments/{id}/hours/{YYYY-MM}): docs/lifecycle.md and docs/kpis.md."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Request

from models import orm, placements
from models.placements import LifecycleError
from service.core import lifecycle
from service.http.api.common import endpoint_of, lifecycle_change, lifecycle_problem
from service.http.api.lifecycle_schemas import EmploymentEndIn, EmploymentOut, PaidHoursIn, PaidHoursOut
from service.http.deps import CurrentPrincipal, DbSession, ScopedEmployment
from service.http.problems import problem_responses

router = APIRouter(tags=["Ansættelser"])
MonthPath = Annotated[str, Path(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="Måned som ÅÅÅÅ-MM",
                                examples=["2026-12"])]


def employment_out(employment: orm.Employment, today: date | None = None) -> EmploymentOut:
    return EmploymentOut(
        employment_id=employment.id, citizen_id=employment.citizen_id, position_id=employment.position_id,
        employer_id=employment.employer_id, hours_per_week=employment.hours_per_week,
        start_date=employment.start_date, end_date=employment.end_date, contract=employment.contract,
        status=placements.employment_status(employment, today or date.today()), ended_reason=employment.ended_reason)


@router.patch("/employments/{employment_id}", response_model=EmploymentOut, summary="Afslut en ansættelse",
              responses=problem_responses(400, 401, 404, 409, 413, 422, 500))
def end_employment(employment: ScopedEmployment, body: EmploymentEndIn, request: Request, session: DbSession,
                   principal: CurrentPrincipal) -> EmploymentOut:
    """Borgeren er tilbage i puljen dagen efter `end_date`, og stillingens timer er ledige igen (status
    tilbage til åben), medmindre `position_closed` er sand."""
    return lifecycle_change(
        session, lambda: lifecycle.end_employment(session, principal, employment, end_date=body.end_date,
                                                  ended_reason=body.ended_reason, position_closed=body.position_closed,
                                                  endpoint=endpoint_of(request)),
        lambda: employment_out(employment))


@router.put("/employments/{employment_id}/hours/{month}", response_model=PaidHoursOut,
            summary="Betalte timer i en måned (eIndkomst løntimer)",
            responses=problem_responses(400, 401, 404, 409, 413, 422, 500))
def put_paid_hours(employment: ScopedEmployment, month: MonthPath, body: PaidHoursIn, request: Request,
                   session: DbSession, principal: CurrentPrincipal) -> PaidHoursOut:
    """Samme måned igen erstatter tallet. Bruges til SK3 (timeprogression)."""
    if employment.annulled_at is not None:
        raise lifecycle_problem(LifecycleError("Ansættelsen er annulleret.", conflict=True))
    lifecycle.record_paid_hours(session, principal, employment, month, body.paid_hours, endpoint=endpoint_of(request))
    session.commit()
    return PaidHoursOut(employment_id=employment.id, month=month, paid_hours=body.paid_hours)
