"""Employers (virksomheder): idempotent upsert."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from models.errors import ID_PATTERN
from models import orm, store
from models.schemas import Employer, EmployerDetails, Location
from service.http.api.common import example_body, upsert_route, upsert_target, upserted
from service.http.api.schemas import EMPLOYER_EXAMPLE, EmployerIn, EmployerOut
from service.http.deps import CurrentPrincipal, DbSession

router = APIRouter(tags=["Virksomheder og stillinger"])
IdPath = Annotated[str, Path(min_length=1, max_length=64, pattern=ID_PATTERN, description="Virksomhedens id")]
EmployerBody = example_body(EmployerIn, "bageri", "Lille privat virksomhed", EMPLOYER_EXAMPLE)


def employer_out(row: orm.Employer) -> EmployerOut:
    location = None if row.lat is None or row.lon is None else Location(lat=row.lat, lon=row.lon)
    return EmployerOut(id=row.id, name=row.name, size=row.size, sector=row.sector,
                       has_fleksjob_experience=row.has_fleksjob_experience, max_fleksjobbere=row.max_fleksjobbere,
                       allow_several_new=row.allow_several_new, jobcenter=row.jobcenter.name, postcode=row.postcode, location=location, cvr=row.cvr,
                       address=row.address, contact_name=row.contact_name, contact_phone=row.contact_phone,
                       contact_email=row.contact_email)


@upsert_route(router, "/employers/{id}", EmployerOut, "Opret eller opdatér en virksomhed", "Virksomheden er oprettet")
def put_employer(id: IdPath, response: Response, session: DbSession, principal: CurrentPrincipal,
                 body: EmployerBody) -> EmployerOut:
    """Idempotent. En virksomhed i et andet jobcenter end nøglens svarer 404."""
    existing, jobcenter = upsert_target(session, principal, orm.Employer, id, body)
    employer = Employer(id=id, name=body.name, size=body.size, sector=body.sector,
                        has_fleksjob_experience=body.has_fleksjob_experience, max_fleksjobbere=body.max_fleksjobbere,
                        allow_several_new=body.allow_several_new)
    # Only the detail fields the body carries are written: the case system may not know the contact person.
    details = EmployerDetails(**{name: getattr(body, name) for name in EmployerDetails.model_fields
                                 if name in body.model_fields_set})
    row = store.upsert_employer(session, employer, jobcenter, postcode=body.postcode, location=body.location,
                                details=details)
    return upserted(session, response, employer_out(row), existed=existing is not None)
