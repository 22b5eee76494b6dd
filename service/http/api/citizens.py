"""Citizens (borgere): upsert, read, delete, and the supply-led proposals for one citizen.
Every handler that touches a citizen's data writes an audit entry in the same transaction."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from matcher.supply import rank_positions
from models import orm, placements, store
from models.diagnosis import diagnosis_warning
from models.errors import ID_PATTERN
from models.schemas import Candidate
from service.http.api.common import (
    endpoint_of, example_body, invalid, upsert_route, upsert_target, upserted, value_problem,
)
from service.http.api.employments import employment_out
from service.http.api.lifecycle_schemas import StatusSpanOut
from service.http.api.schemas import (
    CITIZEN_EXAMPLE, READ_ONLY_CITIZEN_FIELDS, CitizenIn, CitizenOut, CitizenProposalsOut, PositionMatch,
)
from service.core.audit import audit, audit_read
from service.http.deps import (
    Credentials, CurrentPrincipal, DbSession, ScopedCitizen, authenticate, load_citizen_ref, not_found,
)
from service.http.problems import problem_responses

router = APIRouter(tags=["Borgere"])
# Sent by the case system beside the matching contract's fields; left out, they keep what is stored.
LIFECYCLE_FIELDS = {"ly_since", "seeks_more_hours"}
IdPath = Annotated[str, Path(min_length=1, max_length=64, pattern=ID_PATTERN,
                           description="Borgerens id fra sagssystemet")]
CitizenBody = example_body(CitizenIn, "borger", "Borger med to centrale skånehensyn", CITIZEN_EXAMPLE)


def citizen_out(session: Session, citizen: orm.Citizen) -> CitizenOut:
    today = date.today()
    candidate = store.citizen_to_candidate(citizen)
    facts = placements.citizen_lifecycle(session, citizen, today)
    return CitizenOut(
        **(candidate.model_dump() | {"status": facts.status}), postcode=citizen.postcode, active=citizen.active,
        updated_at=citizen.updated_at, ly_since=citizen.ly_since, seeks_more_hours=citizen.seeks_more_hours,
        available_hours=facts.available_hours, employments=[employment_out(e, today) for e in facts.employments],
        status_history=[StatusSpanOut(status=s.status, from_=s.start, to=s.end) for s in facts.history],
        warnings=free_text_warnings(candidate))


def free_text_warnings(candidate: Candidate) -> list[str]:
    """Warnings for the free text a consultant or case system typed: it must not hold diagnoses."""
    texts = [("cv_text", candidate.cv_text), ("competences", ", ".join(candidate.competences)),
             ("wishes", ", ".join(candidate.wishes))]
    texts += [(f"attributes.{key}", value) for key, value in candidate.attributes.items() if isinstance(value, str)]
    return [warning for label, text in texts if (warning := diagnosis_warning(label, text))]


@upsert_route(router, "/citizens/{id}", CitizenOut, "Opret eller opdatér en borger", "Borgeren er oprettet")
def put_citizen(id: IdPath, request: Request, response: Response, session: DbSession, principal: CurrentPrincipal,
                body: CitizenBody) -> CitizenOut:
    """Idempotent: samme indhold igen ændrer intet. Skånehensyn erstatter de gemte. En borger i et andet
    jobcenter end nøglens svarer 404, som om borgeren ikke fandtes."""
    existing, jobcenter = upsert_target(session, principal, orm.Citizen, id, body)
    try:
        candidate = Candidate.model_validate(body.model_dump(exclude=LIFECYCLE_FIELDS | READ_ONLY_CITIZEN_FIELDS | {"postcode"})
                                             | {"id": id, "jobcenter": jobcenter})
    except ValidationError as exc:
        raise invalid(exc) from None
    lifecycle_fields = {name: getattr(body, name) for name in LIFECYCLE_FIELDS if name in body.model_fields_set}
    try:
        citizen, changed = store.upsert_citizen(session, candidate, postcode=body.postcode, **lifecycle_fields)
    except ValueError as exc:
        raise value_problem(exc, "jobcenter") from None
    if changed:
        audit(session, principal, "update" if existing else "create", endpoint_of(request), citizen_id=id,
              jobcenter=jobcenter)
    session.flush()
    return upserted(session, response, citizen_out(session, citizen), existed=existing is not None)


@router.get("/citizens/{id}", response_model=CitizenOut, summary="Læs en borger",
            responses=problem_responses(401, 404, 422, 500))
def get_citizen(citizen: ScopedCitizen, request: Request, session: DbSession,
                principal: CurrentPrincipal) -> CitizenOut:
    """Borgeren som gemt. Opslaget skrives i adgangsloggen."""
    out = citizen_out(session, citizen)
    audit_read(session, principal, endpoint_of(request), citizen_id=citizen.id, jobcenter=citizen.jobcenter.name)
    return out


@router.delete("/citizens/{id}", status_code=204, summary="Slet en borger",
               responses=problem_responses(401, 404, 422, 500))
def delete_citizen(citizen: ScopedCitizen, request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    """Sletter borgeren og dennes skånehensyn. Adgangsloggen bevares."""
    citizen_id, jobcenter = citizen.id, citizen.jobcenter.name
    store.delete_citizen(session, citizen_id)
    audit(session, principal, "delete", endpoint_of(request), citizen_id=citizen_id, jobcenter=jobcenter)
    session.commit()
    return Response(status_code=204)


@router.get("/citizens/{id}/proposals", response_model=CitizenProposalsOut,
            summary="De bedste åbne stillinger for én borger", responses=problem_responses(401, 404, 422, 500))
async def citizen_proposals(id: IdPath, request: Request, session: DbSession, credentials: Credentials,
                            limit: Annotated[int, Query(ge=1, le=100, description="Højst så mange stillinger")] = 10
                            ) -> Response:
    """Håndholdt jobformidling: rangér alle åbne stillinger i borgerens jobcenter for denne borger.
    Forklaringen nævner kun skånehensyn der berører stillingens opgaver."""
    # The busiest route: authentication, scoping, ranking and the audit entry run in ONE worker-thread
    # hop (dependencies and a sync route would take two, plus one to validate the answer again).
    return await run_in_threadpool(_citizen_proposals, id, request, session, credentials, limit)


def _citizen_proposals(id: str, request: Request, session: Session, credentials: Any, limit: int) -> Response:
    principal = authenticate(request, session, credentials)
    citizen = load_citizen_ref(session, principal, id)
    cache = request.app.state.pool_cache
    positions_version, side = cache.versioned_open_side(session, citizen.jobcenter)

    def build() -> tuple[tuple, bytes]:
        try:
            citizen_version, index = cache.versioned_citizen_index(session, citizen.id, citizen.updated_at, side.state)
        except LookupError:
            raise not_found(orm.Citizen, citizen.id) from None
        fits = rank_positions(index, side.columns, limit=limit, blocks=side.blocks) if index is not None else []
        by_id = {p.id: p for p in side.positions}
        body = CitizenProposalsOut(
            citizen_id=citizen.id, positions_considered=side.considered,
            positions=[PositionMatch(position_id=f.position_id, title=by_id[f.position_id].title,
                                     employer_name=by_id[f.position_id].employer.name, rank=f.rank, score=f.score,
                                     hours_offered=f.hours_offered, feasible_tasks=f.feasible_tasks,
                                     explanation=f.explanation) for f in fits])
        return _answer_version(citizen.id, citizen_version, positions_version, limit), body.model_dump_json().encode()

    # The same citizen and the same open positions give the same ranking, so a finished answer is reused
    # until the citizen, a position, an employer or the lifecycle of the jobcentre changes (see
    # service.core.pool_cache).
    answer = cache.answer(_answer_version(citizen.id, citizen.updated_at, positions_version, limit), build)
    audit_read(session, principal, endpoint_of(request), citizen_id=citizen.id, jobcenter=citizen.jobcenter)
    return Response(content=answer, media_type="application/json")


def _answer_version(citizen_id: str, citizen_version: Any, positions_version: tuple, limit: int) -> tuple:
    return ("citizen_proposals", citizen_id, citizen_version, positions_version, limit)
