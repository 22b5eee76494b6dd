"""POST /api/v1/match: the stateless matching contract. Nothing is stored or logged about the citizens
sent, because nothing is read from the database."""

from __future__ import annotations

import threading
import time
from typing import Annotated

from fastapi import APIRouter, Body

import matcher
from models.schemas import MatchRequest, MatchResponse
from service.http.api.schemas import MATCH_REQUEST_EXAMPLE, MATCH_RESPONSE_EXAMPLE
from service.http.deps import CurrentPrincipal
from service.core.metrics import metrics
from service.http.problems import Problem, problem_responses

router = APIRouter(tags=["Matchning"])
# Stateless matches computed at once per worker process; the rest wait their turn (bounded memory and CPU).
MATCH_SLOTS = 2
SLOT_WAIT_SECONDS = 30.0
RETRY_AFTER_SECONDS = 10
_slots = threading.BoundedSemaphore(MATCH_SLOTS)


@router.post("/match", response_model=MatchResponse, summary="Match én stilling mod medsendte borgere",
             responses={200: {"content": {"application/json": {"example": {
                 **MATCH_RESPONSE_EXAMPLE,
                 "proposals": [{k: v for k, v in p.items() if k not in ("proposal_id", "status")}
                               for p in MATCH_RESPONSE_EXAMPLE["proposals"]]}}}},
                        **problem_responses(400, 401, 413, 422, 500, 503)})
def match(request: Annotated[MatchRequest, Body(openapi_examples={"rengøring": {
              "summary": "Rengøring og kantine, én borger", "value": MATCH_REQUEST_EXAMPLE}})],
          principal: CurrentPrincipal) -> MatchResponse:
    """Rangér de medsendte borgere til stillingen, forklar hvorfor (og hvorfor ikke), og foreslå én person
    eller en deling af stillingen (OR-Tools). Intet gemmes.

    **Grænser.** Højst 10.000 borgere pr. forespørgsel (flere: 422 med feltet `candidates`) og højst 5 MB
    (413). Hver arbejdsproces beregner højst to statsløse matchninger ad gangen; venter en forespørgsel
    mere end 30 sekunder på sin tur, svares 503 med `Retry-After`."""
    if not _slots.acquire(timeout=SLOT_WAIT_SECONDS):
        raise Problem(503, "Der beregnes allerede mange matchninger; prøv igen om lidt.",
                      headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    started = time.perf_counter()
    try:
        return matcher.match(request)
    finally:
        _slots.release()
        counters = metrics()
        counters.matches.labels(kind="stateless").inc()
        counters.match_seconds.labels(kind="stateless").observe(time.perf_counter() - started)
        counters.match_candidates.labels(kind="stateless").observe(len(request.candidates))
