"""Employers (virksomheder): idempotent upsert."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Response

from models.errors import ID_PATTERN
from models import orm, store
from models.schemas import Employer, EmployerDetails, Location
from service.http.api.common import same_id
from service.http.api.schemas import EMPLOYER_EXAMPLE, EmployerIn, EmployerOut
from service.http.deps import CurrentPrincipal, DbSession, write_target
from service.http.retry import retry_races
from service.http.problems import problem_responses

router = APIRouter(tags=["Virksomheder og stillinger"])
IdPath = Annotated[str, Path(min_length=1, max_length=64, pattern=ID_PATTERN, description="Virksomhedens id")]


def employer_out(row: orm.Employer) -> EmployerOut:
    location = None if row.lat is None or row.lon is None else Location(lat=row.lat, lon=row.lon)
    return EmployerOut(id=row.id, name=row.name, size=row.size, sector=row.sector,
                       has_fleksjob_experience=row.has_fleksjob_experience, max_fleksjobbere=row.max_fleksjobbere,
                       allow_several_new=row.allow_several_new, jobcenter=row.jobcenter.name, postcode=row.postcode, location=location, cvr=row.cvr,
                       address=row.address, contact_name=row.contact_name, contact_phone=row.contact_phone,
                       contact_email=row.contact_email)


@router.put("/employers/{id}", response_model=EmployerOut, summary="Opret eller opdatér en virksomhed",
            responses={201: {"model": EmployerOut, "description": "Virksomheden er oprettet"},
                       **problem_responses(400, 401, 403, 404, 409, 413, 422, 500)})
@retry_races
def put_employer(id: IdPath, response: Response, session: DbSession, principal: CurrentPrincipal,
                 body: Annotated[EmployerIn, Body(openapi_examples={"bageri": {
                     "summary": "Lille privat virksomhed", "value": EMPLOYER_EXAMPLE}})]) -> EmployerOut:
    """Idempotent. En virksomhed i et andet jobcenter end nøglens svarer 404."""
    same_id(id, body.id)
    existing, jobcenter = write_target(session, principal, orm.Employer, id, body.jobcenter)
    employer = Employer(id=id, name=body.name, size=body.size, sector=body.sector,
                        has_fleksjob_experience=body.has_fleksjob_experience, max_fleksjobbere=body.max_fleksjobbere,
                        allow_several_new=body.allow_several_new)
    # Only the detail fields the body carries are written: the case system may not know the contact person.
    details = EmployerDetails(**{name: getattr(body, name) for name in EmployerDetails.model_fields
                                 if name in body.model_fields_set})
    row = store.upsert_employer(session, employer, jobcenter, postcode=body.postcode, location=body.location,
                                details=details)
    out = employer_out(row)
    session.commit()
    response.status_code = 200 if existing else 201
    return out
