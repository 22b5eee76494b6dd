"""The consultant web UI (Danish, server-rendered, works without JavaScript).

`router` holds every page; `setup(app)` adds what the pages need (the session cookie middleware and the
stylesheet under /static); `install(app)` does both. Configuration (environment):

- FLEKSMATCH_SECRET_KEY     signs the session cookie. Unset: a random key per process (logins end when the
                            server restarts, and several worker processes would not share sessions).
- FLEKSMATCH_COOKIE_SECURE  "1"/"true": the cookie is sent over HTTPS only (set it behind TLS).
"""

from __future__ import annotations

import logging
import os
import secrets

from fastapi import APIRouter, FastAPI
from starlette.middleware.sessions import SessionMiddleware
from starlette.staticfiles import StaticFiles

from service.http.web import auth, citizens, positions, udpluk
from service.http.web.auth_state import SESSION_MAX_AGE
from service.http.web.templating import WEB_DIR

SECRET_ENV = "FLEKSMATCH_SECRET_KEY"
SECURE_ENV = "FLEKSMATCH_COOKIE_SECURE"
SESSION_COOKIE = "fleksmatch_session"

log = logging.getLogger("fleksmatch.web")

router = APIRouter(include_in_schema=False)
for module in (auth, positions, citizens, udpluk):
    router.include_router(module.router)


def _secret_key() -> str:
    key = os.environ.get(SECRET_ENV)
    if key:
        return key
    log.warning("%s er ikke sat: sessioner signeres med en tilfældig nøgle og ophører ved genstart.", SECRET_ENV)
    return secrets.token_urlsafe(48)


def install(app: FastAPI, *, secret_key: str | None = None, https_only: bool | None = None) -> None:
    """Mount the UI on `app`: its routes plus what `setup` adds."""
    app.include_router(router)
    setup(app, secret_key=secret_key, https_only=https_only)


def setup(app: FastAPI, *, secret_key: str | None = None, https_only: bool | None = None) -> None:
    """Session cookie middleware and /static for an app that already includes `router` (idempotent;
    service.http.app.create_app includes the router and calls this)."""
    if getattr(app.state, "web_installed", False):
        return
    if https_only is None:
        https_only = os.environ.get(SECURE_ENV, "").strip().lower() in ("1", "true", "yes", "ja")
    app.add_middleware(SessionMiddleware, secret_key=secret_key or _secret_key(), session_cookie=SESSION_COOKIE,
                       max_age=SESSION_MAX_AGE, same_site="lax", https_only=https_only)
    app.mount("/static", StaticFiles(directory=str(WEB_DIR / "static")), name="web_static")
    app.state.web_installed = True


__all__ = ["install", "router", "setup"]
