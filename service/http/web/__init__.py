"""The consultant web UI (Danish, server-rendered, works without JavaScript).

`router` holds every page; `setup(app, settings)` adds what the pages need (the session cookie middleware
and the stylesheet under /static); `install(app, settings)` does both. From the settings (models.settings):
`secret_key` signs the session cookie (unset: a random key per process, so logins end when the server
restarts; `fleksmatch serve` hands one key to all its workers), and `cookie_secure` sends the cookie over
HTTPS only (set it behind TLS).
"""

from __future__ import annotations

import logging
import secrets

from fastapi import APIRouter, FastAPI
from starlette.middleware.sessions import SessionMiddleware
from starlette.staticfiles import StaticFiles

from models.settings import Settings
from service.http.web import (
    assets, auth, calendar, citizen_edit, citizens, employers, employments, kpis, outcomes, overview, positions,
    udpluk,
)
from service.http.web.auth_state import SESSION_MAX_AGE
from service.http.web.templating import WEB_DIR

SESSION_COOKIE = "fleksmatch_session"

log = logging.getLogger("fleksmatch.web")

router = APIRouter(include_in_schema=False)
for module in (auth, overview, positions, outcomes, employers, citizens, employments, citizen_edit, udpluk, calendar,
               kpis, assets):
    router.include_router(module.router)


def random_secret_key() -> str:
    """A key for a server started without FLEKSMATCH_SECRET_KEY: logins then last until it restarts."""
    log.warning("FLEKSMATCH_SECRET_KEY er ikke sat: sessioner signeres med en tilfældig nøgle og ophører ved genstart.")
    return secrets.token_urlsafe(48)


def install(app: FastAPI, settings: Settings) -> None:
    """Mount the UI on `app`: its routes plus what `setup` adds."""
    app.include_router(router)
    setup(app, settings)


def setup(app: FastAPI, settings: Settings) -> None:
    """Session cookie middleware and /static for an app that already includes `router` (idempotent;
    service.http.app.create_app includes the router and calls this)."""
    if getattr(app.state, "web_installed", False):
        return
    secret_key = settings.secret_key.get_secret_value() if settings.secret_key else random_secret_key()
    app.state.web_secret_key = secret_key  # also keys the udpluk's candidate references
    app.add_middleware(SessionMiddleware, secret_key=secret_key, session_cookie=SESSION_COOKIE,
                       max_age=SESSION_MAX_AGE, same_site="lax", https_only=settings.cookie_secure)
    app.mount("/static", StaticFiles(directory=str(WEB_DIR / "static")), name="web_static")
    app.state.web_installed = True


__all__ = ["install", "random_secret_key", "router", "setup"]
