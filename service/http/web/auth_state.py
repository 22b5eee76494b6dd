"""Session keys and the not-logged-in signal, shared by the login routes and the web route class."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from starlette.responses import RedirectResponse

USER_KEY = "user"
LOGIN_AT_KEY = "login_at"
# The secret of the server-side session (service.core.auth.web_sessions): what makes the cookie a login.
SESSION_SECRET_KEY = "sid"
# A working day on a shared PC; after that the consultant logs in again. The cookie is re-signed whenever
# the session changes, so the login time in the session enforces the limit from the login on.
SESSION_MAX_AGE = 8 * 60 * 60
# Where a login lands: Overblik, what needs action today.
START_PAGE = "/overblik"


class LoginRequired(Exception):
    """Raised by `web_principal` when nobody is logged in; the web route class answers with a redirect."""


def safe_next(target: str | None) -> str:
    """Only local paths may be redirected to after login (no open redirect to another site)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return START_PAGE


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        target = START_PAGE  # a form post cannot be replayed after login
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
