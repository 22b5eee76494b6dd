"""GET /api/v1/health: liveness and database reachability. The only endpoint without a token."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from service.http.api.schemas import HealthOut
from service.http.problems import problem_responses

router = APIRouter(tags=["Drift"])
log = logging.getLogger("fleksmatch.api")


@router.get("/health", response_model=HealthOut, summary="Drift og databaseforbindelse",
            responses={503: {"model": HealthOut, "description": "Databasen svarer ikke",
                             "content": {"application/json": {"example": {"status": "degraded",
                                                                          "database": "unreachable"}}}},
                       **problem_responses(500)})
def health(request: Request) -> JSONResponse:
    """Svarer `ok` når tjenesten kører og databasen svarer. Kræver ingen API-nøgle."""
    try:
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # any driver error means the same thing here: unreachable
        log.exception("Databasen svarer ikke")
        return JSONResponse({"status": "degraded", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})
