"""The borger form: HTML fields ⇄ `models.schemas.Candidate`, with Danish errors keyed by form field.

A consultant edits what she learns in a conversation: capacity and how it was assessed, competences,
wishes, skånehensyn with their severity, which days and how far the citizen can work, and availability.
Everything else on the citizen (CV text, LY months, fairness attributes) is kept as stored. Validation is
the contract's (pydantic), so the UI refuses exactly what the API refuses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from models import orm, store
from models.catalogue import DAYS, load_catalogue
from models.danish import and_list
from models.errors import danish_errors
from models.schemas import Candidate
from service.http.web.employer_form import Place, place_for, postcode_error
from service.http.web.form_errors import FormErrors
from service.importer.writer import OWNED_ATTRIBUTES

# Form field → the citizen attribute it edits (service.importer.writer.OWNED_ATTRIBUTES speaks attributes).
FIELD_ATTRIBUTES = {
    "status": "status", "capacity_hours": "capacity_hours", "capacity_basis": "capacity_basis",
    "competences": "competences", "wishes": "wishes", "restrictions": "restrictions",
    "available_days": "available_days", "driving_licence": "driving_licence", "postcode": "postcode",
    "max_commute_km": "max_commute_km", "seeks_more_hours": "seeks_more_hours",
}
FIELD_LABELS = {
    "status": "Status", "capacity_hours": "Arbejdsevne (timer pr. uge)", "capacity_basis": "Arbejdsevnen er",
    "competences": "Kompetencer", "wishes": "Ønsker", "restrictions": "Skånehensyn", "available_days": "Dage",
    "driving_licence": "Kørekort", "postcode": "Postnummer", "max_commute_km": "Højst km til arbejde",
    "seeks_more_hours": "Søger flere timer",
}
_CONTRACT_FIELDS = {"status": "status", "capacity_hours": "capacity_hours", "capacity_basis": "capacity_basis",
                    "competences": "competences", "wishes": "wishes", "restrictions": "restrictions",
                    "available_days": "available_days", "max_commute_km": "max_commute_km"}


def import_overwrites() -> set[str]:
    """The form fields a pool import overwrites when its file has the column (the importer's own list)."""
    owned = {attribute for attributes in OWNED_ATTRIBUTES.values() for attribute in attributes} | set(OWNED_ATTRIBUTES)
    return {name for name, attribute in FIELD_ATTRIBUTES.items() if attribute in owned}


def import_overwrites_text() -> str:
    """"status, arbejdsevne (timer pr. uge), …": the overwritten fields in form order, for a sentence."""
    return and_list(FIELD_LABELS[name].lower() for name in FIELD_ATTRIBUTES if name in import_overwrites())


def field_labels() -> dict[str, str]:
    """Every form field's label, restriction lines included (for the error summary)."""
    labels = dict(FIELD_LABELS)
    for spec in load_catalogue().restrictions.values():
        labels[f"r-{spec.code}"] = spec.label
        labels[f"r-{spec.code}-value"] = f"{spec.label}, værdi"
    return labels


def has_seeks_more_hours() -> bool:
    """`seeks_more_hours` comes with the placement lifecycle (docs/lifecycle.md); the form offers the field
    only once the citizen has it."""
    return hasattr(orm.Citizen, "seeks_more_hours")


@dataclass
class RestrictionChoice:
    """One catalogue line of the form: ticked or not, its severity and (for lifting) its value."""

    code: str
    label: str
    description: str
    takes_value: bool
    checked: bool = False
    severity: str = "hard"
    value: str = ""


@dataclass
class CitizenForm(FormErrors):
    status: str = "available"
    capacity_hours: str = ""
    capacity_basis: str = "estimated"
    competences: str = ""
    wishes: str = ""
    restrictions: list[RestrictionChoice] = field(default_factory=list)
    available_days: list[str] = field(default_factory=list)
    driving_licence: bool = False
    postcode: str = ""
    max_commute_km: str = ""
    seeks_more_hours: bool = False


def _lines(values: list[str]) -> str:
    return "\n".join(values)


def _split(text: str) -> list[str]:
    """Competences and wishes: one per line or separated by commas/semicolons; repeats dropped."""
    parts = (part.strip() for line in text.replace(";", ",").splitlines() for part in line.split(","))
    return list(dict.fromkeys(part for part in parts if part))


def _number_text(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value).replace(".", ",")


def blank_choices() -> list[RestrictionChoice]:
    return [RestrictionChoice(spec.code, spec.label, spec.description, spec.takes_value)
            for spec in load_catalogue().restrictions.values()]


def form_from_citizen(citizen: orm.Citizen) -> CitizenForm:
    stored = {r.code: r for r in citizen.restrictions}
    choices = blank_choices()
    for choice in choices:
        if choice.code in stored:
            choice.checked, choice.severity = True, stored[choice.code].severity
            choice.value = _number_text(stored[choice.code].value)
    return CitizenForm(
        status=citizen.status, capacity_hours=str(citizen.capacity_hours), capacity_basis=citizen.capacity_basis,
        competences=_lines(citizen.competences), wishes=_lines(citizen.wishes), restrictions=choices,
        available_days=list(citizen.available_days or []), driving_licence=citizen.driving_licence,
        postcode=citizen.postcode or "", max_commute_km=_number_text(citizen.max_commute_km),
        seeks_more_hours=bool(getattr(citizen, "seeks_more_hours", False)))


def form_from_post(data: FormData) -> CitizenForm:
    def text(name: str) -> str:
        return str(data.get(name) or "").strip()

    choices = blank_choices()
    for choice in choices:
        choice.checked = data.get(f"r-{choice.code}") == "on"
        choice.severity = "soft" if data.get(f"r-{choice.code}-severity") == "soft" else "hard"
        choice.value = text(f"r-{choice.code}-value")
    return CitizenForm(
        status=text("status"), capacity_hours=text("capacity_hours"), capacity_basis=text("capacity_basis"),
        competences=str(data.get("competences") or ""), wishes=str(data.get("wishes") or ""), restrictions=choices,
        available_days=[d for d in data.getlist("available_days") if d in DAYS],
        driving_licence=data.get("driving_licence") == "on", postcode=text("postcode"),
        max_commute_km=text("max_commute_km"), seeks_more_hours=data.get("seeks_more_hours") == "on")


def _restriction_payload(choices: list[RestrictionChoice]) -> list[dict[str, Any]]:
    out = []
    for choice in choices:
        if not choice.checked:
            continue
        entry: dict[str, Any] = {"code": choice.code, "severity": choice.severity}
        if choice.takes_value:
            entry["value"] = choice.value.replace(",", ".") if choice.value else None
        out.append(entry)
    return out


@dataclass(frozen=True)
class ValidCitizen:
    candidate: Candidate
    place: Place


def _field_of(path: str, form: CitizenForm) -> str:
    parts = path.split(".")
    if parts[0] == "restrictions" and len(parts) > 1 and parts[1].isdigit():
        checked = [c for c in form.restrictions if c.checked]
        index = int(parts[1])
        if index < len(checked):
            return f"r-{checked[index].code}-value" if checked[index].takes_value else f"r-{checked[index].code}"
    return _CONTRACT_FIELDS.get(parts[0], "form")


def validate(form: CitizenForm, citizen: orm.Citizen) -> ValidCitizen | None:
    """The stored citizen with the form's changes as a Candidate, or None with `form.errors` in Danish."""
    problem = postcode_error(form.postcode)
    if problem:
        form.errors["postcode"] = problem
    place = place_for(form.postcode) if not problem else Place(None, None, None)
    payload = store.citizen_to_candidate(citizen).model_dump() | {
        "status": form.status, "capacity_hours": form.capacity_hours or None, "capacity_basis": form.capacity_basis,
        "competences": _split(form.competences), "wishes": _split(form.wishes),
        "restrictions": _restriction_payload(form.restrictions), "available_days": form.available_days or None,
        "driving_licence": form.driving_licence, "max_commute_km": form.max_commute_km.replace(",", ".") or None,
        "location": place.location.model_dump() if place.location else None,
    }
    if has_seeks_more_hours() and "seeks_more_hours" in Candidate.model_fields:
        payload["seeks_more_hours"] = form.seeks_more_hours
    try:
        candidate = Candidate.model_validate(payload)
    except ValidationError as exc:
        for error in danish_errors(exc):
            message = error.message
            if error.field == "capacity_hours" and error.value is None:
                message = "skal udfyldes (hele timer, 1–37)"
            form.errors.setdefault(_field_of(error.field, form), message[:1].upper() + message[1:])
        return None
    if form.errors:
        return None
    return ValidCitizen(candidate, place)


__all__ = ["FIELD_ATTRIBUTES", "FIELD_LABELS", "CitizenForm", "RestrictionChoice", "ValidCitizen", "blank_choices",
           "field_labels", "form_from_citizen", "form_from_post", "has_seeks_more_hours", "import_overwrites",
           "import_overwrites_text", "validate"]
