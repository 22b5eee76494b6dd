"""RFC 9457 problem details (application/problem+json) for every error the API answers.

One exception type (`Problem`) for errors we raise ourselves, and handlers that turn FastAPI's and
Starlette's own errors (unknown route, wrong method, validation, crashes) into the same shape with a
Danish `detail`. A response never carries a stack trace: unexpected exceptions are logged, not returned.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from models.errors import danish_error_dicts

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:fleksmatch:problem:"

log = logging.getLogger("fleksmatch.api")

# status -> (type slug, Danish title, default Danish detail)
_STATUS: dict[int, tuple[str, str, str]] = {
    400: ("bad-request", "Ugyldig forespørgsel", "Forespørgslen kunne ikke læses."),
    401: ("unauthorized", "Manglende adgang", "Angiv en gyldig API-nøgle i headeren 'Authorization: Bearer <nøgle>'."),
    403: ("forbidden", "Ingen adgang", "Din rolle giver ikke adgang til denne handling."),
    404: ("not-found", "Ikke fundet", "Adressen eller objektet findes ikke."),
    405: ("method-not-allowed", "Metoden er ikke tilladt", "Denne HTTP-metode kan ikke bruges på adressen."),
    406: ("not-acceptable", "Formatet kan ikke leveres", "Svaret kan kun leveres som JSON."),
    409: ("conflict", "Konflikt", "Handlingen er i konflikt med den nuværende tilstand."),
    413: ("payload-too-large", "Forespørgslen er for stor", "Forespørgslens indhold er for stort."),
    415: ("unsupported-media-type", "Ukendt indholdstype", "Indholdet skal sendes som application/json."),
    422: ("validation-error", "Ugyldige data", "En eller flere felter er ugyldige."),
    429: ("too-many-requests", "For mange forespørgsler", "Prøv igen om lidt."),
    500: ("internal-error", "Intern fejl", "Der opstod en uventet fejl. Fejlen er logget; prøv igen eller kontakt support."),
    503: ("unavailable", "Tjenesten er ikke tilgængelig", "Tjenesten er midlertidigt utilgængelig."),
}


def _status_info(status: int) -> tuple[str, str, str]:
    if status in _STATUS:
        return _STATUS[status]
    generic = 500 if status >= 500 else 400
    return _STATUS[generic]


class FieldErrorModel(BaseModel):
    field: str = Field(description="Feltets sti, fx `tasks.0.hours_per_week`", examples=["capacity_hours"])
    message: str = Field(description="Dansk fejlbesked", examples=["må højst være 37"])


class ProblemDetails(BaseModel):
    """Fejlsvar efter RFC 9457 (application/problem+json)."""

    type: str = Field(description="URI der identificerer fejltypen", examples=["urn:fleksmatch:problem:not-found"])
    title: str = Field(description="Kort dansk overskrift for fejltypen", examples=["Ikke fundet"])
    status: int = Field(description="HTTP-statuskode", examples=[404])
    detail: str = Field(description="Dansk forklaring af netop denne fejl", examples=["Borgeren findes ikke."])
    instance: str | None = Field(default=None, description="Stien der blev kaldt", examples=["/api/v1/citizens/B-1"])
    errors: list[FieldErrorModel] | None = Field(default=None, description="Ugyldige felter (kun ved 422)")


class Problem(Exception):
    """An error answered as problem+json. Raise it anywhere below a route."""

    def __init__(self, status: int, detail: str | None = None, *, title: str | None = None,
                 slug: str | None = None, errors: list[dict] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        default_slug, default_title, default_detail = _status_info(status)
        self.status = status
        self.detail = detail or default_detail
        self.title = title or default_title
        self.slug = slug or default_slug
        self.errors = errors
        self.headers = headers or {}
        super().__init__(self.detail)


def not_found(detail: str = "Objektet findes ikke.") -> Problem:
    return Problem(404, detail)


def problem_body(status: int, detail: str | None = None, *, title: str | None = None, slug: str | None = None,
                 instance: str | None = None, errors: list[dict] | None = None) -> dict[str, Any]:
    default_slug, default_title, default_detail = _status_info(status)
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + (slug or default_slug),
        "title": title or default_title,
        "status": status,
        "detail": detail or default_detail,
    }
    if instance:
        body["instance"] = instance
    if errors is not None:
        body["errors"] = errors
    return body


def problem_response(status: int, detail: str | None = None, *, instance: str | None = None,
                     headers: dict[str, str] | None = None, **kwargs: Any) -> JSONResponse:
    return JSONResponse(problem_body(status, detail, instance=instance, **kwargs), status_code=status,
                        media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def problem_bytes(status: int, detail: str | None = None, **kwargs: Any) -> bytes:
    """The body as bytes, for ASGI middleware that answers before the app runs."""
    return json.dumps(problem_body(status, detail, **kwargs), ensure_ascii=False).encode("utf-8")


def validation_errors(errors: list[dict]) -> list[dict]:
    """FastAPI's error list as [{field, message}] in Danish. Body fields lose the `body.` prefix; path,
    query and header parameters keep theirs so the caller sees where the value came from."""
    trimmed = []
    for error in errors:
        loc = tuple(error.get("loc", ()))
        if error.get("type") == "json_invalid":
            loc = ("body",)  # FastAPI puts the character offset here, which reads like a field name
        elif loc[:1] == ("body",):
            loc = loc[1:]
        trimmed.append({**error, "loc": loc})
    return [e.as_dict() for e in danish_error_dicts(trimmed)]


async def _on_problem(request: Request, exc: Problem) -> JSONResponse:
    return problem_response(exc.status, exc.detail, title=exc.title, slug=exc.slug, errors=exc.errors,
                            instance=request.url.path, headers=exc.headers)


async def _on_http_exception(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    # Framework messages are English; the Danish default for the status replaces them.
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = allowed_methods(request) or headers.get("Allow", "")
    return problem_response(exc.status_code, instance=request.url.path, headers=headers)


def allowed_methods(request: Request) -> str:
    """Every method the API serves at this path, from the OpenAPI document. Starlette's 405 names only the
    first route that matched the path, but PUT, GET and DELETE of /citizens/{id} are three routes."""
    templates = getattr(request.app.state, "allowed_methods", None)
    if templates is None:
        templates = []
        for template, operations in request.app.openapi().get("paths", {}).items():
            pattern = re.compile("^" + re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(template)) + "$")
            templates.append((pattern, {method.upper() for method in operations}))
        request.app.state.allowed_methods = templates
    methods = set().union(*(found for pattern, found in templates if pattern.match(request.url.path)))
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


async def _on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = validation_errors(list(exc.errors()))
    fields = ", ".join(e["field"] for e in errors if e["field"]) or "forespørgslen"
    return problem_response(422, f"Ugyldige data i: {fields}.", instance=request.url.path, errors=errors)


async def _on_crash(request: Request, exc: Exception) -> JSONResponse:
    log.exception("Uventet fejl ved %s %s", request.method, request.url.path)
    return problem_response(500, instance=request.url.path)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(StarletteHTTPException, _on_http_exception)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(Exception, _on_crash)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for the given error statuses, each with a realistic example."""
    examples = {
        401: "Angiv en gyldig API-nøgle i headeren 'Authorization: Bearer <nøgle>'.",
        403: "Din rolle giver ikke adgang til denne handling.",
        404: "Objektet findes ikke.",
        409: "Der kører allerede en genmatchning for jobcenter Horsens.",
        413: "Forespørgslens indhold er for stort (højst 5 MB).",
        422: "Ugyldige data i: capacity_hours.",
        500: _STATUS[500][2],
    }
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        slug, title, default = _status_info(status)
        example = problem_body(status, examples.get(status, default), instance="/api/v1/citizens/B-1")
        if status == 422:
            example["errors"] = [{"field": "capacity_hours", "message": "må højst være 37"}]
        out[status] = {
            "description": title,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemDetails"},
                                             "example": example}},
        }
    return out


__all__ = [
    "PROBLEM_MEDIA_TYPE", "Problem", "ProblemDetails", "install_problem_handlers", "not_found",
    "problem_body", "problem_bytes", "problem_response", "problem_responses", "validation_errors",
]
