"""Ending an employment from the borger page, through the audited use case (docs/lifecycle.md): the
citizen is back in the pool from the day after, the stilling's hours are unfilled again unless it is closed.
A refused end (a date before the start, an annulled employment) re-shows the borger page with the message."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from models import orm
from models.placements import LifecycleError
from service.core import lifecycle
from service.core.auth.principal import Principal
from service.http.deps import get_session as db_session
from service.http.deps import load_scoped
from service.http.web.auth import web_principal
from service.http.web.citizens import citizen_page
from service.http.web.csrf import require_csrf
from service.http.web.errors import WebRoute
from service.http.web.flash import flash

router = APIRouter(route_class=WebRoute)


@router.post("/ansaettelser/{employment_id}/afslut", name="web_employment_end", dependencies=[Depends(require_csrf)])
async def employment_end(request: Request, employment_id: str, principal: Principal = Depends(web_principal),
                         session: Session = Depends(db_session)) -> Response:
    employment = load_scoped(session, principal, orm.Employment, employment_id)
    data = await request.form()
    typed = {name: str(data.get(name) or "").strip() for name in ("end_date", "ended_reason", "position_closed")}
    try:
        end_date = _end_date(typed["end_date"])
        lifecycle.end_employment(session, principal, employment, end_date=end_date,
                                 ended_reason=typed["ended_reason"] or None, position_closed=bool(typed["position_closed"]),
                                 endpoint=f"POST /ansaettelser/{employment.id}/afslut")
    except LifecycleError as exc:
        session.rollback()
        employment = load_scoped(session, principal, orm.Employment, employment_id)
        response = citizen_page(request, session, principal, session.get(orm.Citizen, employment.citizen_id),
                                employment_errors={employment.id: str(exc)}, employment_values={employment.id: typed},
                                status_code=409 if exc.conflict else 422)
        session.commit()
        return response
    session.commit()
    flash(request, "ok", f"Ansættelsen er afsluttet med sidste dag {end_date:%d.%m.%Y}.")
    return RedirectResponse(request.url_for("web_citizen", citizen_id=employment.citizen_id), status_code=303)


def _end_date(text: str) -> date:
    if not text:
        raise LifecycleError("Skriv den sidste dag i jobbet.", field="end_date")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise LifecycleError(f"Datoen '{text}' kan ikke læses; skriv den som ÅÅÅÅ-MM-DD.", field="end_date") from None


__all__ = ["router"]
