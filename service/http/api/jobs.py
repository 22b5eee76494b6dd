"""POST /api/v1/rematch and GET /api/v1/jobs/{job_id}: background batch rematch with persisted progress."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request

from models import orm
from service.core.jobs import RematchBusy
from service.http.api.common import API_PREFIX
from service.http.api.schemas import JobAccepted, JobOut, RematchIn
from service.http.deps import CurrentPrincipal, DbSession, ScopedJob, target_jobcenter
from service.http.problems import Problem, problem_responses

router = APIRouter(tags=["Genmatchning"])


def job_out(job: orm.BatchJob) -> JobOut:
    return JobOut(job_id=job.id, jobcenter=job.jobcenter, state=job.state, done=job.done, total=job.total,
                  created_at=job.created_at, started_at=job.started_at, finished_at=job.finished_at,
                  error=job.error, summary=job.summary)


@router.post("/rematch", response_model=JobAccepted, status_code=202, summary="Start en samlet genmatchning",
             responses=problem_responses(400, 401, 403, 409, 413, 422, 500))
def start_rematch(request: Request, session: DbSession, principal: CurrentPrincipal,
                  body: Annotated[RematchIn | None, Body(openapi_examples={
                      "horsens": {"summary": "Genmatch Horsens", "value": {"jobcenter": "Horsens"}}})] = None
                  ) -> JobAccepted:
    """Genmatcher hele jobcentrets ledige pulje mod alle åbne stillinger i baggrunden. Følg fremdriften med
    GET /jobs/{job_id}. Kører der allerede en genmatchning for jobcentret, svares 409. De tidligere forslag
    gælder, indtil den nye kørsel er helt færdig."""
    jobcenter = target_jobcenter(principal, body.jobcenter if body else None,
                                 "Angiv hvilket jobcenter der skal genmatches.")
    session.commit()  # the runner uses its own sessions
    try:
        job = request.app.state.rematch_runner.start(jobcenter, created_by=principal.actor)
    except RematchBusy as busy:
        raise Problem(409, str(busy)) from None
    return JobAccepted(job_id=job.id, state=job.state, status_url=f"{API_PREFIX}/jobs/{job.id}")


@router.get("/jobs/{job_id}", response_model=JobOut, summary="Fremdrift for en genmatchning",
            responses=problem_responses(401, 404, 422, 500))
def get_job(job: ScopedJob) -> JobOut:
    """`state` er `queued`, `running`, `done` eller `failed`; `done`/`total` viser fremdriften."""
    return job_out(job)
