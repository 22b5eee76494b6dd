"""Login, logout and the logged-in principal of the consultant UI.

The session is Starlette's signed cookie (HttpOnly, SameSite=Lax, Secure when configured). It carries only
the username and the CSRF token; the user row is re-read on every request, so a deactivated user loses
access at once. The principal built from it is the same `Principal` the API uses, so tenant rules are the
API's rules.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from models.orm import User
from service.http.deps import end_dependency_transaction
from service.http.deps import get_session as db_session
from service.core.auth.principal import Principal
from service.core.auth.users import authenticate, user_principal
from service.http.web.auth_state import LOGIN_AT_KEY, SESSION_MAX_AGE, USER_KEY, LoginRequired, safe_next
from service.http.web.csrf import csrf_valid, require_csrf, rotate_csrf_token
from service.http.web.errors import WebRoute
from service.http.web.flash import flash
from service.http.web.templating import render

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
    """FastAPI dependency of every page behind the login."""
    username = request.session.get(USER_KEY)
    login_at = request.session.get(LOGIN_AT_KEY)
    expired = not isinstance(login_at, int) or time.time() - login_at > SESSION_MAX_AGE
    user = load_user(session, username) if isinstance(username, str) and not expired else None
    if user is None:
        request.session.pop(USER_KEY, None)
        raise LoginRequired()
    request.state.web_user = WebUser(user.username, user.role, tuple(sorted(user.jobcenters or ())),
                                     user.full_name, user.phone, user.email)
    principal = user_principal(user)
    # The page runs on another worker thread: release SQLite's write lock before that hop (see there).
    end_dependency_transaction(request, session)
    return principal


router = APIRouter(route_class=WebRoute)


@router.get("/login", name="web_login_form")
def login_form(request: Request, next: str = "/stillinger") -> Response:
    if request.session.get(USER_KEY):
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
    user = authenticate(session, username, password)
    if user is None:
        return render(request, "login.html", {"next_url": next_url, "username": username, "error": FAILED_LOGIN},
                      status_code=401)
    session.commit()  # an outdated password hash may have been upgraded
    # A new session at login: nothing from before the login (fixation, an old CSRF token) carries over.
    request.session.clear()
    request.session[USER_KEY] = user.username
    request.session[LOGIN_AT_KEY] = int(time.time())
    rotate_csrf_token(request)
    return RedirectResponse(next_url, status_code=303)


@router.post("/logout", name="web_logout", dependencies=[Depends(require_csrf)])
def logout(request: Request) -> Response:
    request.session.clear()
    rotate_csrf_token(request)
    flash(request, "ok", "Du er logget ud.")
    return RedirectResponse("/login", status_code=303)
