"""Positions (stillinger): upsert, read, and matching a stored position against its jobcentre's pool."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from models import orm, placements, store
from models.errors import ID_PATTERN
from models.schemas import MatchOptions, Position
from service.core.matching import MatchConflict, PositionGone, PositionNotOpen, match_and_store
from service.core.pool_cache import position_version_key
from service.http.api.common import (
    endpoint_of, example_body, invalid, json_response, upsert_route, upsert_target, upserted,
)
from service.http.api.schemas import POSITION_EXAMPLE, PositionIn, PositionOut, StoredMatchResponse
from service.http.deps import (
    Credentials, CurrentPrincipal, DbSession, ScopedPositionAccess, authenticate, load_position_version,
    load_scoped, not_found, reads_before_writing,
)
from service.http.problems import Problem, problem_responses

router = APIRouter(tags=["Virksomheder og stillinger"])
IdPath = Annotated[str, Path(min_length=1, max_length=64, pattern=ID_PATTERN, description="Stillingens id")]
PositionBody = example_body(PositionIn, "rengøring", "Rengøring og kantine hos et bageri", POSITION_EXAMPLE)


def position_out(session: Session, row: orm.Position) -> PositionOut:
    schema = store.position_to_schema(row).model_dump()
    employments = placements.live_employments(session, position_ids=[row.id], on=date.today())
    filled = placements.filled_hours(employments).get(row.id, {})
    schema["tasks"] = [task | {"hours_filled": filled.get(task["id"], 0)} for task in schema["tasks"]]
    return PositionOut(**schema, status=row.status, postcode=row.postcode, updated_at=row.updated_at)


@upsert_route(router, "/positions/{id}", PositionOut, "Opret eller opdatér en stilling", "Stillingen er oprettet")
def put_position(id: IdPath, response: Response, session: DbSession, principal: CurrentPrincipal,
                 body: PositionBody) -> PositionOut:
    """Idempotent; opgaverne erstatter de gemte. Virksomheden skal findes i samme jobcenter."""
    existing, jobcenter = upsert_target(session, principal, orm.Position, id, body)
    employer = session.get(orm.Employer, body.employer_id)
    if employer is None or employer.jobcenter.name != jobcenter:
        raise Problem(422, f"Virksomheden '{body.employer_id}' findes ikke i jobcenter '{jobcenter}'.",
                      errors=[{"field": "employer_id", "message": "virksomheden findes ikke; opret den først"}])
    try:
        position = Position.model_validate({
            "id": id, "title": body.title, "location": body.location, "max_people": body.max_people,
            "min_hours_per_person": body.min_hours_per_person, "tasks": [t.model_dump(exclude={"hours_filled"}) for t in body.tasks], "jobcenter": jobcenter,
            "employer": store.employer_to_schema(employer)})
    except ValidationError as exc:
        raise invalid(exc) from None
    row = store.upsert_position(session, position, jobcenter, status=body.status, postcode=body.postcode)
    placements.refresh_after_edit(session, row, on=date.today())
    return upserted(session, response, position_out(session, row), existed=existing is not None)


@router.get("/positions/{id}", response_model=PositionOut, summary="Læs en stilling med opgaver",
            responses=problem_responses(401, 404, 422, 500))
async def get_position(id: IdPath, request: Request, session: DbSession, credentials: Credentials) -> Response:
    """Stillingen med virksomhed og opgaver."""
    # One worker-thread hop for authentication, scoping and the answer (dependencies would add one).
    return await run_in_threadpool(_get_position, id, request, session, credentials)


def _get_position(id: str, request: Request, session: Session, credentials: Any) -> Response:
    principal = authenticate(request, session, credentials)
    version = load_position_version(session, principal, id)

    def build() -> tuple[tuple, bytes]:
        row = load_scoped(session, principal, orm.Position, id)
        return position_version_key(row), position_out(session, row).model_dump_json().encode()

    # The answer is kept under the versions it was built from, so any change to the position, its tasks
    # or its employer (through any process) is read fresh; see service.core.pool_cache.
    answer = request.app.state.pool_cache.answer(version.key, build)
    return Response(content=answer, media_type="application/json")


def stored_response(run: orm.MatchRun) -> StoredMatchResponse:
    payload = run.response
    statuses = {p.id: p.status for p in run.proposals}
    proposals = [{**p, "status": statuses.get(p["proposal_id"], "open")} for p in payload.get("proposals", [])]
    return StoredMatchResponse(run_id=run.id, created_at=run.created_at, position_id=payload["position_id"],
                               ranking=payload.get("ranking", []), excluded=payload.get("excluded", []),
                               proposals=proposals)


@router.post("/positions/{id}/proposals", response_model=StoredMatchResponse, status_code=201,
             summary="Match en gemt stilling mod jobcentrets pulje og gem forslagene",
             responses=problem_responses(401, 404, 409, 422, 500))
@reads_before_writing
def propose(access: ScopedPositionAccess, request: Request, session: DbSession,
            limit: Annotated[int, Query(ge=1, le=100, description="Højst så mange i `ranking`")] = 10,
            include_excluded: Annotated[bool, Query(description="Medtag frasorterede borgere med grunde")] = True
            ) -> Response:
    """Rangér de ledige borgere i stillingens jobcenter, foreslå én person eller en deling (OR-Tools), og
    gem kørslen som stillingens aktuelle. Hvert forslag får et id til PATCH /proposals/{proposal_id}."""
    options = MatchOptions(limit=limit, include_excluded=include_excluded)
    principal, row = access.principal, access.position
    try:
        run, _ = match_and_store(session, principal, row, cache=request.app.state.pool_cache, options=options,
                                 source="api", endpoint=endpoint_of(request))
    except PositionNotOpen as refused:
        raise Problem(409, str(refused)) from None
    except MatchConflict as conflict:
        raise Problem(409, str(conflict)) from None
    except PositionGone:
        raise not_found(orm.Position, row.id) from None
    return json_response(stored_response(run), status_code=201)
