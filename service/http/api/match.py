"""POST /api/v1/match: the stateless matching contract. Nothing is stored or logged about the citizens
sent, because nothing is read from the database."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

import matcher
from models.schemas import MatchRequest, MatchResponse
from service.http.api.schemas import MATCH_REQUEST_EXAMPLE, MATCH_RESPONSE_EXAMPLE
from service.http.deps import CurrentPrincipal
from service.http.problems import problem_responses

router = APIRouter(tags=["Matchning"])


@router.post("/match", response_model=MatchResponse, summary="Match én stilling mod medsendte borgere",
             responses={200: {"content": {"application/json": {"example": {
                 **MATCH_RESPONSE_EXAMPLE,
                 "proposals": [{k: v for k, v in p.items() if k not in ("proposal_id", "status")}
                               for p in MATCH_RESPONSE_EXAMPLE["proposals"]]}}}},
                        **problem_responses(400, 401, 413, 422, 500)})
def match(request: Annotated[MatchRequest, Body(openapi_examples={"rengøring": {
              "summary": "Rengøring og kantine, én borger", "value": MATCH_REQUEST_EXAMPLE}})],
          principal: CurrentPrincipal) -> MatchResponse:
    """Rangér de medsendte borgere til stillingen, forklar hvorfor (og hvorfor ikke), og foreslå én person
    eller en deling af stillingen (OR-Tools). Intet gemmes."""
    return matcher.match(request)
