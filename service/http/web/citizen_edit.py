"""Editing a borger in the UI, and turning a note the import could not read into a catalogue restriction
in one step. Every change is audited with the fields it changed.

The case system remains the source where it sends data: the form says which fields the next import
(those the importer owns, service.importer.writer.OWNED_ATTRIBUTES) or API call (every field) overwrites.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from models import orm, store
from models.catalogue import load_catalogue
from models.danish import and_list
from models.errors import danish_errors
from models.orm import utcnow
from models.schemas import Candidate, Restriction
from service.core.audit import audit
from service.core.auth.principal import Principal
from service.http.deps import get_session as db_session
from service.http.web import citizen_form
from service.http.web.access import citizen_or_404, read_citizen_or_404
from service.http.web.auth import web_principal
from service.http.web.csrf import require_csrf
from service.http.web.errors import WebRoute
from service.http.web.flash import flash
from service.http.web.templating import render

router = APIRouter(route_class=WebRoute)

def _changed_fields(before: Candidate, before_postcode: str | None, after: Candidate, after_postcode: str | None,
                    seeks_before: bool, seeks_after: bool) -> list[str]:
    old, new = before.model_dump(), after.model_dump()
    names = [name for name, attribute in citizen_form.FIELD_ATTRIBUTES.items() if attribute in old
             and old[attribute] != new[attribute]]
    if before_postcode != after_postcode or old["location"] != new["location"]:
        names.append("postcode")
    if seeks_before != seeks_after and "seeks_more_hours" not in names:
        names.append("seeks_more_hours")
    return [citizen_form.FIELD_LABELS[name] for name in citizen_form.FIELD_ATTRIBUTES if name in names]


def _form_page(request: Request, citizen: orm.Citizen, form: citizen_form.CitizenForm, *,
               status_code: int = 200) -> Response:
    context = {
        "citizen": citizen, "form": form, "nav": "borgere", "field_labels": citizen_form.field_labels(),
        "overwritten": citizen_form.import_overwrites(), "overwritten_text": citizen_form.import_overwrites_text(),
        "seeks_more_hours_field": citizen_form.has_seeks_more_hours(),
    }
    return render(request, "citizen_form.html", context, status_code=status_code)


@router.get("/borgere/{citizen_id}/rediger", name="web_citizen_edit")
def citizen_edit(request: Request, citizen_id: str, principal: Principal = Depends(web_principal),
                 session: Session = Depends(db_session)) -> Response:
    citizen = read_citizen_or_404(session, principal, citizen_id, page="/rediger")
    response = _form_page(request, citizen, citizen_form.form_from_citizen(citizen))
    session.commit()
    return response


@router.post("/borgere/{citizen_id}/rediger", name="web_citizen_update", dependencies=[Depends(require_csrf)])
async def citizen_update(request: Request, citizen_id: str, principal: Principal = Depends(web_principal),
                         session: Session = Depends(db_session)) -> Response:
    citizen = citizen_or_404(session, principal, citizen_id)
    form = citizen_form.form_from_post(await request.form())
    valid = citizen_form.validate(form, citizen)
    if valid is None:
        return _form_page(request, citizen, form, status_code=422)
    before, before_postcode = store.citizen_to_candidate(citizen), citizen.postcode
    seeks_before = bool(getattr(citizen, "seeks_more_hours", False))
    store.upsert_citizen(session, valid.candidate)
    if citizen.postcode != valid.place.postcode:
        citizen.postcode, citizen.updated_at = valid.place.postcode, utcnow()
    if citizen_form.has_seeks_more_hours() and seeks_before != form.seeks_more_hours:
        # Set directly too, in case the Candidate schema does not carry the field.
        setattr(citizen, "seeks_more_hours", form.seeks_more_hours)
        citizen.updated_at = utcnow()
    changed = _changed_fields(before, before_postcode, valid.candidate, valid.place.postcode, seeks_before,
                              bool(getattr(citizen, "seeks_more_hours", False)))
    if changed:
        audit(session, principal, "update", f"POST /borgere/{citizen.id}/rediger", citizen_id=citizen.id,
              jobcenter=citizen.jobcenter.name, detail="Ændret i konsulentgrænsefladen: " + ", ".join(changed))
    session.commit()
    flash(request, "ok", f"Borgeren er gemt. Ændret: {and_list(f.lower() for f in changed)}." if changed
          else "Intet er ændret.")
    if valid.place.unknown:
        flash(request, "info", f"Postnummer {valid.place.postcode} findes ikke i FleksMatchs liste over postnumre, "
                               "så afstande kan ikke beregnes.")
    return RedirectResponse(request.url_for("web_citizen", citizen_id=citizen.id), status_code=303)


# ---- unread import notes ------------------------------------------------------------------------------


def _note_restriction(data) -> tuple[Restriction | None, str | None]:
    """The restriction the consultant chose for a note, or None and a Danish reason."""
    spec = load_catalogue().restrictions.get(str(data.get("code") or ""))
    if spec is None:
        return None, "Vælg et skånehensyn fra kataloget."
    value = None
    if spec.takes_value:
        raw = str(data.get("value") or "").strip().replace(",", ".")
        try:
            value = float(raw)
        except ValueError:
            return None, f"{spec.label}: angiv et tal, fx 5."
    severity = "soft" if data.get("severity") == "soft" else "hard"
    try:
        return Restriction(code=spec.code, value=value, severity=severity), None
    except ValidationError as exc:
        return None, f"{spec.label}: {danish_errors(exc)[0].message}."


@router.post("/borgere/{citizen_id}/noter", name="web_citizen_note", dependencies=[Depends(require_csrf)])
async def citizen_note(request: Request, citizen_id: str, principal: Principal = Depends(web_principal),
                       session: Session = Depends(db_session)) -> Response:
    citizen = citizen_or_404(session, principal, citizen_id)
    data = await request.form()
    note = str(data.get("note") or "")
    back = RedirectResponse(f"{request.url_for('web_citizen', citizen_id=citizen.id)}#skaanehensyn", status_code=303)
    notes = list(citizen.unresolved_restriction_notes or [])
    if note not in notes:
        flash(request, "error", "Noten findes ikke længere (måske er borgeren importeret igen). Se siden igen.")
        return back
    remaining = [n for n in notes if n != note]
    endpoint = f"POST /borgere/{citizen.id}/noter"
    if data.get("action") == "dismiss":
        citizen.unresolved_restriction_notes, citizen.updated_at = remaining, utcnow()
        audit(session, principal, "update", endpoint, citizen_id=citizen.id, jobcenter=citizen.jobcenter.name,
              detail=f"Note fjernet uden skånehensyn: {note}"[:1000])
        session.commit()
        flash(request, "ok", "Noten er fjernet.")
        return back
    restriction, problem = _note_restriction(data)
    if restriction is None:
        flash(request, "error", problem or "Skånehensynet kunne ikke gemmes.")
        return back
    candidate = store.citizen_to_candidate(citizen)
    kept = [r for r in candidate.restrictions if r.code != restriction.code]
    store.upsert_citizen(session, candidate.model_copy(update={"restrictions": [*kept, restriction]}),
                         unresolved_notes=remaining)
    spec = load_catalogue().restrictions[restriction.code]
    audit(session, principal, "update", endpoint, citizen_id=citizen.id, jobcenter=citizen.jobcenter.name,
          detail=f"Note registreret som skånehensyn {restriction.code} ({restriction.severity}): {note}"[:1000])
    session.commit()
    flash(request, "ok", f"Registreret som skånehensyn: {spec.label}.")
    return back


__all__ = ["router"]
