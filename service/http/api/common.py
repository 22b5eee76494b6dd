"""Small helpers shared by the routers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Body, Request, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from models.errors import danish_errors
from models.placements import LifecycleError
from service.core.auth.principal import Principal
from service.http.deps import write_target
from service.http.problems import Problem, problem_responses
from service.http.retry import retry_races

API_PREFIX = "/api/v1"
T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


def endpoint_of(request: Request) -> str:
    """`METHOD /route/template` for the audit log (the template, not the concrete path with ids)."""
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    if not path.startswith(API_PREFIX):
        path = API_PREFIX + path
    return f"{request.method} {path}"


def json_response(body: BaseModel, status_code: int = 200) -> Response:
    """A response model the route has built (and so validated) itself, serialised once by pydantic. FastAPI
    would validate it again and, for a sync route, do so on another worker thread."""
    return Response(content=body.model_dump_json(), status_code=status_code, media_type="application/json")


def upsert_route(router: APIRouter, path: str, model: type[BaseModel], summary: str,
                 created: str) -> Callable[[F], F]:
    """The route of an idempotent PUT: 200 or 201 (documented with `created`), retried on a lost write race."""
    put = router.put(path, response_model=model, summary=summary, responses=upsert_responses(model, created))
    return lambda endpoint: put(retry_races(endpoint))


def example_body(model: type[BaseModel], name: str, summary: str, value: dict) -> Any:
    """A request body type with one named example in the OpenAPI document."""
    return Annotated[model, Body(openapi_examples={name: {"summary": summary, "value": value}})]


def upsert_target(session: Session, principal: Principal, model: type, object_id: str,
                  body: Any) -> tuple[Any | None, str]:
    """Before an idempotent PUT: the body's id (if any) must be the path's; then service.http.deps.write_target
    with the body's jobcentre."""
    same_id(object_id, body.id)
    return write_target(session, principal, model, object_id, body.jobcenter)


def upsert_responses(model: type[BaseModel], created: str) -> dict[int | str, dict]:
    """The documented answers of an idempotent PUT: 200 (updated), 201 with `created`, and the problems."""
    return {201: {"model": model, "description": created},
            **problem_responses(400, 401, 403, 404, 409, 413, 422, 500)}


def upserted(session: Session, response: Response, out: BaseModel, existed: bool) -> BaseModel:
    """The end of an idempotent PUT: commit, then 200 when the object existed, 201 when it was created.
    `out` is built before the commit, from what was written."""
    session.commit()
    response.status_code = 200 if existed else 201
    return out


def same_id(path_id: str, body_id: str | None) -> None:
    if body_id is not None and body_id != path_id:
        raise Problem(422, "Id i indholdet svarer ikke til id i adressen.",
                      errors=[{"field": "id", "message": f"skal være '{path_id}' som i adressen"}])


def invalid(exc: ValidationError) -> Problem:
    """A contract ValidationError raised after the request model passed (e.g. a combined object)."""
    errors = [e.as_dict() for e in danish_errors(exc)]
    return Problem(422, "Ugyldige data i: " + ", ".join(e["field"] for e in errors) + ".", errors=errors)


def value_problem(exc: ValueError, field: str) -> Problem:
    """A Danish ValueError from models.store as a 422 naming the field it concerns."""
    return Problem(422, f"Ugyldige data: {exc}.", errors=[{"field": field, "message": str(exc)}])


def lifecycle_problem(exc: LifecycleError) -> Problem:
    """A refused lifecycle request: 409 when the current state does not allow it, else 422 naming the field."""
    if exc.conflict:
        return Problem(409, str(exc))
    return Problem(422, str(exc), errors=[{"field": exc.field or "body", "message": str(exc)}])


def lifecycle_change(session: Session, change: Callable[[], object], answer: Callable[[], T]) -> T:
    """Run a lifecycle change (a refusal becomes its problem, see lifecycle_problem), build the answer from
    what it wrote, then commit."""
    try:
        change()
    except LifecycleError as exc:
        raise lifecycle_problem(exc) from None
    out = answer()
    session.commit()
    return out
