"""One-time messages ("Stillingen er gemt") carried in the session to the next page."""

from __future__ import annotations

from fastapi import Request

FLASH_KEY = "flash"


def flash(request: Request, kind: str, text: str) -> None:
    """Queue a message; `kind` is ok, info or error (the CSS class)."""
    request.session[FLASH_KEY] = [*request.session.get(FLASH_KEY, []), [kind, text]]


def pop_flashes(request: Request) -> list[tuple[str, str]]:
    messages = request.session.pop(FLASH_KEY, [])
    return [(kind, text) for kind, text in messages]
