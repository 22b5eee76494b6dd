"""The team leader's figures over the API: GET /kpis (SK1–SK3 per month) and GET /fairness (fairness
monitoring), docs/kpis.md. One jobcentre per request: the caller's own, or one they may see."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from models.kpis import TARGETS
from service.core import kpis
from service.core.kpis import KpiRequestError
from service.http.api.common import endpoint_of
from service.http.deps import CurrentPrincipal, DbSession
from service.http.problems import Problem, problem_responses

router = APIRouter(tags=["Nøgletal"])
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


class KpiValueOut(BaseModel):
    value: float | None = Field(description="tæller ÷ nævner som brøk (0.9 er 90 %); null når nævneren er 0")
    numerator: float
    denominator: float


class KpiMonthOut(BaseModel):
    month: str = Field(examples=["2026-11"])
    sk1: KpiValueOut
    sk2: KpiValueOut
    sk3: KpiValueOut


class KpisOut(BaseModel):
    jobcenter: str
    targets: dict[str, float] = Field(examples=[dict(TARGETS)])
    months: list[KpiMonthOut]


class FairnessGroupOut(BaseModel):
    group: str
    label: str
    n: int
    proposed_rate: float
    proposed_rate_ci: list[float] | None
    proposed_ratio: float | None
    proposed_ratio_ci: list[float] | None
    proposed_flag: bool
    hired_rate: float
    hired_rate_ci: list[float] | None
    hired_ratio: float | None
    hired_ratio_ci: list[float] | None
    hired_flag: bool
    note: str | None


class FairnessAttributeOut(BaseModel):
    attribute: str = Field(examples=["gender"])
    label: str
    best_proposed: str | None
    best_hired: str | None
    groups: list[FairnessGroupOut]


class FairnessOut(BaseModel):
    jobcenter: str
    from_: date = Field(alias="from", serialization_alias="from")
    to: date
    n: int = Field(description="borgere til rådighed i perioden")
    attributes: list[FairnessAttributeOut]

    model_config = ConfigDict(populate_by_name=True)


def _problem(exc: KpiRequestError) -> Problem:
    errors = [{"field": exc.field, "message": str(exc)}] if exc.status == 422 and exc.field else None
    return Problem(exc.status, str(exc), errors=errors)


@router.get("/kpis", response_model=KpisOut, summary="SK1–SK3 pr. måned",
            responses=problem_responses(401, 403, 404, 422, 500))
def get_kpis(request: Request, session: DbSession, principal: CurrentPrincipal,
             jobcenter: Annotated[str | None, Query(max_length=100, description="Jobcenter (standard: dit eget)")] = None,
             from_: Annotated[str | None, Query(alias="from", pattern=MONTH, description="Første måned, ÅÅÅÅ-MM")] = None,
             to: Annotated[str | None, Query(pattern=MONTH, description="Sidste måned, ÅÅÅÅ-MM (standard: denne)")] = None,
             ) -> KpisOut:
    """STARs succeskriterier for hver måned fra `from` til `to` (standard: de 12 måneder til og med denne),
    udregnet af forløbsdata: SK1 andel fuldtidspersoner i fleksjob, SK2 andel afsluttede
    ledighedsydelsesforløb under 6 måneder, SK3 andel i små fleksjob der er gået op i timer."""
    try:
        report = kpis.jobcenter_kpis(session, principal, jobcenter, from_, to, endpoint=endpoint_of(request))
    except KpiRequestError as exc:
        raise _problem(exc) from None
    return KpisOut(jobcenter=report.jobcenter, targets=dict(TARGETS),
                   months=[KpiMonthOut(**month.as_dict()) for month in report.months])


@router.get("/fairness", response_model=FairnessOut, response_model_by_alias=True,
            summary="Overvågning af ligebehandling", responses=problem_responses(401, 403, 404, 422, 500))
def get_fairness(request: Request, session: DbSession, principal: CurrentPrincipal,
                 jobcenter: Annotated[str | None, Query(max_length=100, description="Jobcenter (standard: dit eget)")] = None,
                 from_: Annotated[date | None, Query(alias="from", description="Første dag, ÅÅÅÅ-MM-DD")] = None,
                 to: Annotated[date | None, Query(description="Sidste dag, ÅÅÅÅ-MM-DD (standard: i dag)")] = None,
                 ) -> FairnessOut:
    """Pr. køn og aldersgruppe: hvor mange borgere der var til rådighed i perioden, hvor stor en andel der
    blev foreslået og ansat, forholdet til den bedste gruppe med 95 %-intervaller, et flag under 0,8
    (firefemtedelsreglen) og en note når gruppen er for lille til at vurdere."""
    try:
        name, first, last, report = kpis.jobcenter_fairness(session, principal, jobcenter, from_, to,
                                                            endpoint=endpoint_of(request))
    except KpiRequestError as exc:
        raise _problem(exc) from None
    return FairnessOut(jobcenter=name, from_=first, to=last, n=report.n,
                       attributes=[FairnessAttributeOut(**a.as_dict()) for a in report.attributes])
