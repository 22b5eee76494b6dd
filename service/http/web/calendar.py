"""The consultant's follow-ups in Outlook: a secret calendar URL per user (service.core.auth.calendar_tokens).

/kalender shows whether she has one and makes or renews it; the URL is shown once, on the page that made it
(the secret never goes into the session cookie, which is signed, not encrypted). The feed
GET /kalender/{secret}.ics needs no login, the secret is the key: an unknown or replaced secret answers 404,
like any page that does not exist. Each fetch is audited as a read of the citizens it lists, by the user.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from models import orm
from service.core.audit import audit_many
from service.core.auth.calendar_tokens import calendar_user, renew_calendar_token
from service.core.auth.principal import Principal
from service.core.auth.users import user_principal
from service.core.calendar import followups_calendar
from service.http.deps import get_session as db_session
from service.http.problems import Problem
from service.http.web.auth import web_principal
from service.http.web.csrf import require_csrf
from service.http.web.errors import WebRoute
from service.http.web.templating import render
from models import placements

router = APIRouter(route_class=WebRoute)
FEED_ENDPOINT = "GET /kalender/{hemmelighed}.ics"  # the secret itself never goes into the audit log


def _user(session: Session, principal: Principal) -> orm.User:
    username = principal.actor.removeprefix("user:")
    return session.scalar(select(orm.User).where(orm.User.username == username))


@router.get("/kalender", name="web_calendar")
def calendar_page(request: Request, principal: Principal = Depends(web_principal),
                  session: Session = Depends(db_session)) -> Response:
    user = _user(session, principal)
    return render(request, "calendar.html", {"has_url": user.calendar_token_hash is not None, "url": None,
                                             "nav": "overblik"})


@router.post("/kalender/forny", name="web_calendar_renew", dependencies=[Depends(require_csrf)])
def calendar_renew(request: Request, principal: Principal = Depends(web_principal),
                   session: Session = Depends(db_session)) -> Response:
    user = _user(session, principal)
    renewed = user.calendar_token_hash is not None
    secret = renew_calendar_token(session, user)
    session.commit()
    url = str(request.url_for("web_calendar_feed", secret=secret))
    return render(request, "calendar.html", {"has_url": True, "url": url, "renewed": renewed, "nav": "overblik"})


@router.get("/kalender/{secret}.ics", name="web_calendar_feed")
def calendar_feed(secret: str, session: Session = Depends(db_session)) -> Response:
    user = calendar_user(session, secret)
    if user is None:
        raise Problem(404)
    principal = user_principal(user)
    centres = {c.id: c.name for c in session.scalars(select(orm.Jobcenter)) if principal.can_see(c.name)}
    found = placements.followups(session, list(centres), state="open")
    body = followups_calendar(found, name=f"FleksMatch opfølgning · {user.full_name or user.username}")
    for centre_id, centre in sorted(centres.items()):
        ids = sorted({f.citizen_id for f in found if f.jobcenter_id == centre_id})
        if ids:
            audit_many(session, principal, "read", FEED_ENDPOINT, ids, jobcenter=centre, detail="kalender")
    session.commit()
    return Response(content=body, media_type="text/calendar; charset=utf-8",
                    headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


__all__ = ["router"]
