"""GET /api/v1/metrics: Prometheus metrics of every process of the server (workers and job runner)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from service.core.metrics import exposition
from service.http.deps import AdminPrincipal
from service.http.problems import problem_responses

router = APIRouter(tags=["Drift"])


@router.get("/metrics", summary="Driftstal i Prometheus-format (kun admin)", response_class=Response,
            responses={200: {"description": "Prometheus' tekstformat",
                             "content": {"text/plain": {"schema": {"type": "string"}}}},
                       **problem_responses(401, 403, 500)})
def get_metrics(principal: AdminPrincipal) -> Response:
    """Forespørgsler (antal og svartid pr. rute og status), matchninger (antal, varighed, kandidater) og
    genmatchninger (afsluttede pr. udfald, varighed, i gang nu), lagt sammen over alle serverens processer."""
    body, content_type = exposition()
    return Response(content=body, media_type=content_type)
