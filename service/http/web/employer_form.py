"""The virksomhed form: HTML fields ⇄ `models.schemas.Employer` + `EmployerDetails`, a postcode and its
coordinates, with Danish errors keyed by form field.

The postcode is what places the workplace on the map (data/postcodes.csv: town centres). A postcode that
list does not know is kept, with a warning, because the list is not complete; without coordinates the
commute limits of citizens cannot be applied, and the pages say so.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from models import orm
from models.errors import danish_errors
from models.geo_data import load_postcodes, location_for_postcode, normalise_postnr
from models.schemas import Employer, EmployerDetails, Location
from service.http.web.form_errors import FormErrors

POSTCODE = re.compile(r"\d{4}")
FIELD_LABELS = {
    "name": "Navn", "cvr": "CVR-nummer", "address": "Adresse", "postcode": "Postnummer",
    "contact_name": "Kontaktperson", "contact_phone": "Telefon", "contact_email": "E-mail", "size": "Størrelse",
    "sector": "Sektor", "max_fleksjobbere": "Højst antal fleksjobbere", "jobcenter": "Jobcenter",
}
_CONTRACT_FIELDS = {"name": "name", "size": "size", "sector": "sector", "max_fleksjobbere": "max_fleksjobbere"}


def new_employer_id() -> str:
    return "V-" + secrets.token_hex(4).upper()


@dataclass(frozen=True)
class Place:
    """A postcode as typed, with its town and coordinates when data/postcodes.csv knows it."""

    postcode: str | None
    town: str | None
    location: Location | None

    @property
    def unknown(self) -> bool:
        return self.postcode is not None and self.location is None


def place_for(postcode: str) -> Place:
    postnr = normalise_postnr(postcode) if postcode else ""
    if not postnr:
        return Place(None, None, None)
    known = load_postcodes().get(postnr)
    coordinates = location_for_postcode(postnr)
    location = Location(lat=coordinates[0], lon=coordinates[1]) if coordinates else None
    return Place(postnr, known.town if known else None, location)


def postcode_error(postcode: str) -> str | None:
    if postcode and not POSTCODE.fullmatch(normalise_postnr(postcode)):
        return "Postnummeret skal være 4 cifre, fx 8700."
    return None


@dataclass
class EmployerForm(FormErrors):
    employer_id: str = ""
    name: str = ""
    cvr: str = ""
    address: str = ""
    postcode: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    size: str = "small"
    sector: str = "private"
    experience: bool = False
    several_new: bool = False
    max_fleksjobbere: str = ""
    jobcenter: str = ""


def form_from_employer(row: orm.Employer) -> EmployerForm:
    return EmployerForm(
        employer_id=row.id, name=row.name, cvr=row.cvr or "", address=row.address or "", postcode=row.postcode or "",
        contact_name=row.contact_name or "", contact_phone=row.contact_phone or "",
        contact_email=row.contact_email or "", size=row.size, sector=row.sector,
        experience=row.has_fleksjob_experience, several_new=row.allow_several_new,
        max_fleksjobbere="" if row.max_fleksjobbere is None else str(row.max_fleksjobbere),
        jobcenter=row.jobcenter.name)


def form_from_post(data: FormData, prefix: str = "") -> EmployerForm:
    """Read the posted fields (`prefix` lets the stilling form embed the same fields as employer_…)."""
    def text(name: str) -> str:
        return str(data.get(prefix + name) or "").strip()

    return EmployerForm(
        name=text("name"), cvr=text("cvr"), address=text("address"), postcode=text("postcode"),
        contact_name=text("contact_name"), contact_phone=text("contact_phone"), contact_email=text("contact_email"),
        size=text("size") or "small", sector=text("sector") or "private",
        experience=data.get(prefix + "experience") == "on", several_new=data.get(prefix + "several_new") == "on",
        max_fleksjobbere=text("max_fleksjobbere"),
        jobcenter=str(data.get("jobcenter") or "").strip())


@dataclass(frozen=True)
class ValidEmployer:
    employer: Employer
    details: EmployerDetails
    place: Place


def _capitalised(message: str) -> str:
    return message[:1].upper() + message[1:]


def validate(form: EmployerForm) -> ValidEmployer | None:
    """The contract Employer, its details and its place, or None with `form.errors` filled in (Danish)."""
    errors: dict[str, str] = {}
    payload: dict[str, Any] = {"id": form.employer_id or new_employer_id(), "name": form.name, "size": form.size,
                               "sector": form.sector, "has_fleksjob_experience": form.experience,
                               "allow_several_new": form.several_new}
    if form.max_fleksjobbere:
        payload["max_fleksjobbere"] = form.max_fleksjobbere
    employer = details = None
    try:
        employer = Employer.model_validate(payload)
    except ValidationError as exc:
        for error in danish_errors(exc):
            errors.setdefault(_CONTRACT_FIELDS.get(error.field.split(".")[0], "name"), _capitalised(error.message))
    try:
        details = EmployerDetails(cvr=form.cvr, address=form.address, contact_name=form.contact_name,
                                  contact_phone=form.contact_phone, contact_email=form.contact_email)
    except ValidationError as exc:
        for error in danish_errors(exc):
            errors.setdefault(error.field.split(".")[0] or "name", _capitalised(error.message))
    problem = postcode_error(form.postcode)
    if problem:
        errors["postcode"] = problem
    form.errors = {**form.errors, **errors}
    if form.errors or employer is None or details is None:
        return None
    form.employer_id = employer.id
    return ValidEmployer(employer, details, place_for(form.postcode))


__all__ = ["FIELD_LABELS", "EmployerForm", "Place", "ValidEmployer", "form_from_employer", "form_from_post",
           "new_employer_id", "place_for", "postcode_error", "validate"]
