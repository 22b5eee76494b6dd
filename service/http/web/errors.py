"""The route class of every UI page: errors become Danish HTML pages (not the API's problem+json), and a
missing login becomes a redirect to the login page."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from service.http.problems import Problem
from service.http.web.auth_state import LoginRequired, login_redirect
from service.http.web.templating import render

log = logging.getLogger("fleksmatch.web")

TITLES = {400: "Ugyldig forespørgsel", 403: "Ingen adgang", 404: "Siden findes ikke", 405: "Handlingen er ikke tilladt",
          413: "For meget data", 422: "Ugyldige oplysninger", 500: "Der opstod en fejl"}
DETAILS = {404: "Siden eller det, du leder efter, findes ikke – eller du har ikke adgang til det.",
           422: "Adressen eller formularen indeholder ugyldige oplysninger.",
           500: "Der opstod en uventet fejl. Fejlen er logget; prøv igen, eller kontakt support."}


def error_page(request: Request, status: int, detail: str | None = None) -> Response:
    title = TITLES.get(status, TITLES[400] if status < 500 else TITLES[500])
    text = detail or DETAILS.get(status, title + ".")
    return render(request, "error.html", {"title": title, "detail": text}, status_code=status)


class WebRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def web_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequired:
                return login_redirect(request)
            except Problem as exc:
                return error_page(request, exc.status, exc.detail)
            except StarletteHTTPException as exc:
                # Framework messages are English: only our own (Danish) details are shown.
                detail = exc.detail if isinstance(exc.detail, str) and exc.status_code == 403 else None
                return error_page(request, exc.status_code, detail)
            except RequestValidationError:
                return error_page(request, 422)
            except Exception:
                log.exception("Uventet fejl ved %s %s", request.method, request.url.path)
                return error_page(request, 500)

        return web_handler
