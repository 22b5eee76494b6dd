"""The stilling form's virksomhed and workplace: pick a stored virksomhed or describe a new one, and find
where the work is done (the workplace's postcode, or the virksomhed's) so distances and commute limits
apply to the candidates."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import orm
from models.errors import danish_errors
from models.schemas import EmployerDetails, Location
from service.core.auth.principal import Principal
from service.http.web.access import visible_jobcenter_ids
from service.http.web.employer_form import Place, place_for, postcode_error
from service.http.web.forms import PositionForm


@dataclass(frozen=True)
class Workplace:
    """Where the stilling's work is done, and the new virksomhed to create first (if one was described)."""

    place: Place
    address: str | None
    new_employer: EmployerDetails | None
    new_employer_place: Place | None


def employer_options(session: Session, principal: Principal) -> list[tuple[str, str]]:
    """(id, "Name · postnr. town") of the virksomheder the principal may pick, by name."""
    rows = session.execute(select(orm.Employer.id, orm.Employer.name, orm.Employer.postcode)
                           .where(orm.Employer.jobcenter_id.in_(visible_jobcenter_ids(session, principal)))
                           .order_by(orm.Employer.name, orm.Employer.id)).all()
    options = []
    for employer_id, name, postcode in rows:
        place = place_for(postcode or "")
        where = f" · {place.postcode} {place.town or ''}".rstrip() if place.postcode else ""
        options.append((employer_id, f"{name}{where}"))
    return options


def _stored_place(row: orm.Employer) -> Place:
    location = Location(lat=row.lat, lon=row.lon) if row.lat is not None and row.lon is not None else None
    known = place_for(row.postcode or "")
    return Place(row.postcode, known.town, location or known.location)


def _take_stored_employer(form: PositionForm, row: orm.Employer) -> None:
    """The stilling embeds the stored virksomhed unchanged, so saving it rewrites nothing about it."""
    form.employer_id, form.employer_name = row.id, row.name
    form.employer_size, form.employer_sector = row.size, row.sector
    form.employer_max = "" if row.max_fleksjobbere is None else str(row.max_fleksjobbere)
    form.employer_experience = row.has_fleksjob_experience


def _new_employer_details(form: PositionForm) -> EmployerDetails | None:
    try:
        return EmployerDetails(cvr=form.employer_cvr, address=form.employer_address)
    except ValidationError as exc:
        for error in danish_errors(exc):
            name = "employer_cvr" if error.field.startswith("cvr") else "employer_address"
            form.errors.setdefault(name, error.message[:1].upper() + error.message[1:])
        return None


def resolve_workplace(session: Session, principal: Principal, form: PositionForm, jobcenter: str | None,
                      stored: orm.Position | None) -> Workplace:
    """Apply the virksomhed choice to `form` and find the workplace; problems go to `form.errors`."""
    for name in ("workplace_postcode", "employer_postcode"):
        problem = postcode_error(getattr(form, name))
        if problem:
            form.errors[name] = problem
    choice = form.employer_choice
    if choice is None and stored is not None:  # a post without the picker edits the stored virksomhed
        choice = form.employer_id = stored.employer_id
    employer = session.get(orm.Employer, choice) if choice else None
    new_details = employer_place = None
    if not choice:  # "Ny virksomhed", or a post without the picker creating a stilling
        form.employer_id = ""
        new_details = _new_employer_details(form)
        employer_place = place_for(form.employer_postcode) if "employer_postcode" not in form.errors else None
        employer_address = form.employer_address
    elif employer is None or not principal.can_see(employer.jobcenter.name):
        form.errors["employer_choice"] = "Vælg en virksomhed fra listen."
        employer_address = None
    elif jobcenter is not None and employer.jobcenter.name != jobcenter:
        form.errors["employer_choice"] = f"Virksomheden hører til jobcenter {employer.jobcenter.name}."
        employer_address = None
    else:
        if form.employer_choice is not None:
            _take_stored_employer(form, employer)
        employer_place, employer_address = _stored_place(employer), employer.address
    if form.workplace_postcode:
        place, address = place_for(form.workplace_postcode), form.workplace_address
    else:
        place, address = employer_place, form.workplace_address or employer_address
    return Workplace(place=place or Place(None, None, None), address=address or None, new_employer=new_details,
                     new_employer_place=employer_place if not choice else None)


__all__ = ["Workplace", "employer_options", "resolve_workplace"]
