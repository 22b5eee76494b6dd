"""Login, logout and the logged-in principal of the consultant UI.

The session cookie is Starlette's signed cookie (HttpOnly, SameSite=Lax, Secure when configured). It
carries the CSRF token and the secret of a server-side session (service.core.auth.web_sessions): logout,
deactivation, 30 idle minutes and the working-day limit end that session, so a copied cookie stops working
too, and the user row is re-read on every request. Failed logins are throttled per username and per client
(service.core.auth.throttle: 429 with Retry-After). The principal built from it is the same `Principal` the API uses, so tenant rules are the
API's rules.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from models.orm import User
from service.http.deps import commit_bookkeeping, end_dependency_transaction
from service.http.deps import get_session as db_session
from service.core.auth.principal import Principal
from service.core.auth.users import authenticate, user_principal
from service.core.auth.throttle import clear_failures, record_failure, retry_after
from service.core.auth.web_sessions import (
    end_session, live_session, prune_sessions, start_session, touch_session,
)
from service.http.web.auth_state import (
    LOGIN_AT_KEY, SESSION_MAX_AGE, SESSION_SECRET_KEY, START_PAGE, USER_KEY, LoginRequired, safe_next,
)
from service.http.web.csrf import csrf_valid, require_csrf, rotate_csrf_token
from service.http.web.errors import WebRoute
from service.http.web.flash import flash
from service.http.web.templating import render

log = logging.getLogger("fleksmatch.web")
FAILED_LOGIN = "Forkert brugernavn eller adgangskode."
LOGIN_EXPIRED = "Siden var udløbet. Skriv brugernavn og adgangskode igen."


@dataclass(frozen=True)
class WebUser:
    """What the pages show about the logged-in user."""

    username: str
    role: str
    jobcenters: tuple[str, ...]
    full_name: str | None = None
    phone: str | None = None
    email: str | None = None

    @property
    def name(self) -> str:
        return self.full_name or self.username


def load_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username, User.active.is_(True)))


def web_principal(request: Request, session: Session = Depends(db_session)) -> Principal:
    """FastAPI dependency of every page behind the login: the server-side session must be alive."""
    secret = request.session.get(SESSION_SECRET_KEY)
    live = live_session(session, secret, max_age_seconds=SESSION_MAX_AGE) if isinstance(secret, str) else None
    if live is None:
        request.session.pop(USER_KEY, None)
        request.session.pop(SESSION_SECRET_KEY, None)
        raise LoginRequired()
    user = live.user
    request.state.web_user = WebUser(user.username, user.role, tuple(sorted(user.jobcenters or ())),
                                     user.full_name, user.phone, user.email)
    principal = user_principal(user)
    if live.needs_touch:
        _touch(session, live.session_id)
    # The page runs on another worker thread: release SQLite's write lock before that hop (see there).
    end_dependency_transaction(request, session)
    return principal


def _touch(session: Session, session_id: int) -> None:
    """Keep an active session from idling out; a lost update only shortens the session."""
    commit_bookkeeping(session, lambda: touch_session(session, session_id), log,
                       "last_seen_at for websession %s blev ikke opdateret", session_id)


def _client(request: Request) -> str:
    return request.client.host if request.client else "ukendt"


def _wait_text(seconds: int) -> str:
    return f"For mange mislykkede forsøg. Vent {seconds} {'sekund' if seconds == 1 else 'sekunder'}, og prøv igen."


router = APIRouter(route_class=WebRoute)


@router.get("/login", name="web_login_form")
def login_form(request: Request, next: str = START_PAGE) -> Response:
    if request.session.get(SESSION_SECRET_KEY):
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", {"next_url": safe_next(next), "username": "", "error": None})


@router.post("/login", name="web_login")
async def login(request: Request, session: Session = Depends(db_session)) -> Response:
    form = await request.form()
    username = str(form.get("username") or "").strip()
    password = str(form.get("password") or "")
    next_url = safe_next(str(form.get("next") or ""))
    if not await csrf_valid(request):
        # Typically a login page left open across a server restart: offer a fresh form, log nobody in.
        return render(request, "login.html", {"next_url": next_url, "username": username, "error": LOGIN_EXPIRED},
                      status_code=403)
    wait = retry_after(session, username, _client(request))
    if wait:
        response = render(request, "login.html", {"next_url": next_url, "username": username,
                                                  "error": _wait_text(wait)}, status_code=429)
        response.headers["Retry-After"] = str(wait)
        return response
    user = authenticate(session, username, password)
    if user is None:
        record_failure(session, username, _client(request))
        session.commit()
        return render(request, "login.html", {"next_url": next_url, "username": username, "error": FAILED_LOGIN},
                      status_code=401)
    clear_failures(session, username)
    prune_sessions(session)
    secret = start_session(session, user)
    session.commit()  # the session, and an outdated password hash may have been upgraded
    # A new session at login: nothing from before the login (fixation, an old CSRF token) carries over.
    request.session.clear()
    request.session[USER_KEY] = user.username
    request.session[LOGIN_AT_KEY] = int(time.time())
    request.session[SESSION_SECRET_KEY] = secret
    rotate_csrf_token(request)
    return RedirectResponse(next_url, status_code=303)


@router.post("/logout", name="web_logout", dependencies=[Depends(require_csrf)])
def logout(request: Request, session: Session = Depends(db_session)) -> Response:
    secret = request.session.get(SESSION_SECRET_KEY)
    if isinstance(secret, str):
        end_session(session, secret)  # the cookie, copied or not, no longer logs anyone in
        session.commit()
    request.session.clear()
    rotate_csrf_token(request)
    flash(request, "ok", "Du er logget ud.")
    return RedirectResponse("/login", status_code=303)
