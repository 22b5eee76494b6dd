"""CSRF protection for the consultant UI: one random token per session (synchronizer token pattern).

Every HTML form carries the token in a hidden field `csrf_token`; every POST route depends on
`require_csrf`, which refuses a post whose token is missing or differs from the session's (403, Danish).
SameSite=Lax on the session cookie is a second line of defence, not the only one.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import HTTPException, Request

SESSION_KEY = "csrf_token"
FIELD_NAME = "csrf_token"
REFUSED_DETAIL = "Formularen kunne ikke godkendes (sikkerhedsnøglen mangler eller er udløbet). Gå tilbage, genindlæs siden og prøv igen."


class CsrfRefused(HTTPException):
    def __init__(self) -> None:
        super().__init__(status_code=403, detail=REFUSED_DETAIL)


def csrf_token(request: Request) -> str:
    """The session's token, created on first use."""
    token = request.session.get(SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_KEY] = token
    return token


def rotate_csrf_token(request: Request) -> str:
    """A fresh token (at login and logout), so a token seen before login is worthless afterwards."""
    request.session[SESSION_KEY] = secrets.token_urlsafe(32)
    return request.session[SESSION_KEY]


async def csrf_valid(request: Request) -> bool:
    expected = request.session.get(SESSION_KEY)
    given = (await request.form()).get(FIELD_NAME)
    return bool(expected) and isinstance(given, str) and hmac.compare_digest(given, expected)


async def require_csrf(request: Request) -> None:
    """FastAPI dependency for every form POST."""
    if not await csrf_valid(request):
        raise CsrfRefused()
