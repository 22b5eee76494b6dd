"""Overblik, the start page after login: what needs the consultant's action today in her jobcentres
(service.core.overview), with "Udført" on each follow-up. Every citizen the page names is audited as read."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from models import orm
from models.danish import counted
from service.core import lifecycle
from service.core.audit import audit_many
from service.core.auth.principal import Principal
from service.core.overview import LY_LINE_MONTHS, overview
from service.http.deps import get_session as db_session
from service.http.deps import load_scoped
from service.http.web.auth import web_principal
from service.http.web.csrf import require_csrf
from service.http.web.errors import WebRoute
from service.http.web.flash import flash
from service.http.web.templating import render

router = APIRouter(route_class=WebRoute)


@router.get("/", name="web_home", include_in_schema=False)
def home() -> Response:
    return RedirectResponse("/overblik", status_code=303)


def _centres(session: Session, principal: Principal) -> dict[int, str]:
    return {c.id: c.name for c in session.scalars(select(orm.Jobcenter).order_by(orm.Jobcenter.name))
            if principal.can_see(c.name)}


@router.get("/overblik", name="web_overview")
def overview_page(request: Request, principal: Principal = Depends(web_principal),
                  session: Session = Depends(db_session)) -> Response:
    centres = _centres(session, principal)
    today = date.today()
    found = overview(session, list(centres), today)
    _audit(session, principal, found, centres)
    context = {"o": found, "today": today, "nav": "overblik", "ly_line_months": LY_LINE_MONTHS,
               "titles": _position_titles(session, found)}
    response = render(request, "overview.html", context)
    session.commit()
    return response


def _audit(session: Session, principal: Principal, found, centres: dict[int, str]) -> None:
    by_centre: dict[str, list[str]] = defaultdict(list)
    for followup in (*found.overdue, *found.due_today, *found.upcoming):
        by_centre[centres[followup.jobcenter_id]].append(followup.citizen_id)
    for citizen in found.ly_line:
        by_centre[centres[citizen.jobcenter_id]].append(citizen.id)
    for centre, ids in sorted(by_centre.items()):
        unique = sorted(set(ids))
        audit_many(session, principal, "list", "GET /overblik", unique, jobcenter=centre,
                   detail=f"{counted(len(unique), 'borger', 'borgere')} vist")


def _position_titles(session: Session, found) -> dict[str, str]:
    ids = sorted({f.position_id for f in (*found.overdue, *found.due_today, *found.upcoming) if f.position_id})
    if not ids:
        return {}
    return dict(session.execute(select(orm.Position.id, orm.Position.title).where(orm.Position.id.in_(ids))).all())


@router.post("/opfoelgning/{followup_id}/udfoert", name="web_followup_done", dependencies=[Depends(require_csrf)])
async def followup_done(request: Request, followup_id: str, principal: Principal = Depends(web_principal),
                        session: Session = Depends(db_session)) -> Response:
    followup = load_scoped(session, principal, orm.FollowUp, followup_id)
    note = str((await request.form()).get("note") or "").strip() or None
    if followup.done_at is None:
        lifecycle.close_followup(session, principal, followup, done=True, note=note,
                                 endpoint=f"POST /opfoelgning/{followup.id}/udfoert")
        session.commit()
        flash(request, "ok", f"Opfølgningen for {followup.citizen_id} er markeret som udført.")
    else:
        flash(request, "info", f"Opfølgningen for {followup.citizen_id} var allerede markeret som udført.")
    return RedirectResponse(request.url_for("web_overview"), status_code=303)


__all__ = ["router"]
