"""Positions (stillinger): upsert, read, and matching a stored position against its jobcentre's pool."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Request, Response
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from models import orm, store
from models.schemas import MatchOptions, Position
from service.api.common import endpoint_of, invalid, same_id
from service.api.schemas_api import POSITION_EXAMPLE, PositionIn, PositionOut, StoredMatchResponse
from service.matching import PositionNotOpen, match_stored_position
from service.auth.dependencies import CurrentPrincipal, DbSession, ScopedPosition, write_target
from service.problems import Problem, problem_responses

router = APIRouter(tags=["Virksomheder og stillinger"])
IdPath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"\S", description="Stillingens id")]


def position_out(row: orm.Position) -> PositionOut:
    schema = store.position_to_schema(row)
    return PositionOut(**schema.model_dump(), status=row.status, postcode=row.postcode, updated_at=row.updated_at)


@router.put("/positions/{id}", response_model=PositionOut, summary="Opret eller opdatér en stilling",
            responses={201: {"model": PositionOut, "description": "Stillingen er oprettet"},
                       **problem_responses(400, 401, 403, 404, 413, 422, 500)})
def put_position(id: IdPath, response: Response, session: DbSession, principal: CurrentPrincipal,
                 body: Annotated[PositionIn, Body(openapi_examples={"rengøring": {
                     "summary": "Rengøring og kantine hos et bageri", "value": POSITION_EXAMPLE}})]) -> PositionOut:
    """Idempotent; opgaverne erstatter de gemte. Virksomheden skal findes i samme jobcenter."""
    same_id(id, body.id)
    existing, jobcenter = write_target(session, principal, orm.Position, id, body.jobcenter)
    employer = session.get(orm.Employer, body.employer_id)
    if employer is None or employer.jobcenter.name != jobcenter:
        raise Problem(422, f"Virksomheden '{body.employer_id}' findes ikke i jobcenter '{jobcenter}'.",
                      errors=[{"field": "employer_id", "message": "virksomheden findes ikke; opret den først"}])
    try:
        position = Position.model_validate({
            "id": id, "title": body.title, "location": body.location, "max_people": body.max_people,
            "min_hours_per_person": body.min_hours_per_person, "tasks": body.tasks, "jobcenter": jobcenter,
            "employer": {"id": employer.id, "name": employer.name, "size": employer.size, "sector": employer.sector,
                         "has_fleksjob_experience": employer.has_fleksjob_experience,
                         "max_fleksjobbere": employer.max_fleksjobbere}})
    except ValidationError as exc:
        raise invalid(exc) from None
    row = store.upsert_position(session, position, jobcenter, status=body.status, postcode=body.postcode)
    out = position_out(row)
    session.commit()
    response.status_code = 200 if existing else 201
    return out


@router.get("/positions/{id}", response_model=PositionOut, summary="Læs en stilling med opgaver",
            responses=problem_responses(401, 404, 422, 500))
def get_position(position: ScopedPosition) -> PositionOut:
    """Stillingen med virksomhed og opgaver."""
    return position_out(position)


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
def propose(position_row: ScopedPosition, request: Request, session: DbSession, principal: CurrentPrincipal,
            limit: Annotated[int, Query(ge=1, le=100, description="Højst så mange i `ranking`")] = 10,
            include_excluded: Annotated[bool, Query(description="Medtag frasorterede borgere med grunde")] = True
            ) -> StoredMatchResponse:
    """Rangér de ledige borgere i stillingens jobcenter, foreslå én person eller en deling (OR-Tools), og
    gem kørslen som stillingens aktuelle. Hvert forslag får et id til PATCH /proposals/{proposal_id}."""
    options = MatchOptions(limit=limit, include_excluded=include_excluded)
    index = request.app.state.pool_cache.pool_index(session, position_row.jobcenter.name)
    try:
        run, _ = match_stored_position(session, principal, position_row, index=index, options=options,
                                       source="api", endpoint=endpoint_of(request))
    except PositionNotOpen as refused:
        raise Problem(409, str(refused)) from None
    out = stored_response(run)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Problem(409, "En anden matchkørsel for stillingen blev gemt samtidig; prøv igen.") from None
    return out


