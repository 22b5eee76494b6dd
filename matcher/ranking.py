"""Rank a prepared pool for one position, and answer a MatchRequest.

`evaluate_position` is the vectorised hot path (`matcher.evaluation` over one position's task columns).
`rank` orders by score (descending) then candidate_id and writes Danish explanations (`matcher.fit`) only
for the `limit` shown and for the excluded. `match` is the contract entry point (docs/matching.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from matcher import fit
from matcher.columns import TaskColumns
from matcher.evaluation import Evaluation, evaluate
from matcher.pairs import PairScores
from matcher.pool_index import PoolIndex
from matcher.rules import Block
from matcher.scoring import DEFAULT_WEIGHTS, Weights
from matcher.split import split_position
from models.schemas import Excluded, MatchOptions, MatchRequest, MatchResponse, Position, Proposal, RankedCandidate


def evaluate_position(position: Position, index: PoolIndex, *, weights: Weights = DEFAULT_WEIGHTS,
                      blocks: Iterable[Block] = ()) -> tuple[PairScores, Evaluation]:
    """Feasibility and soft score for every candidate of the pool × every task of the position. `blocks`
    are the caller's own exclusions (`matcher.rules.Block`)."""
    ev = evaluate(TaskColumns.build([position]), index, weights=weights, blocks=blocks)
    pairs = PairScores(candidate_ids=index.candidate_ids, task_ids=tuple(t.id for t in position.tasks),
                       feasible=ev.feasible, score=ev.score, capacity_hours=index.capacity_hours,
                       ly_months=index.ly_months, capacity_estimated=index.capacity_estimated)
    return pairs, ev


def rank(request_or_position: MatchRequest | Position | dict[str, Any], index: PoolIndex,
         options: MatchOptions | None = None, *, weights: Weights = DEFAULT_WEIGHTS,
         blocks: Iterable[Block] = ()) -> tuple[list[RankedCandidate], list[Excluded], PairScores]:
    """Rank the pool in `index` for one position. A MatchRequest contributes its position and, unless
    `options` is given, its options; its candidates are ignored (the pool is the index)."""
    position, options = _position_and_options(request_or_position, options)
    pairs, ev = evaluate_position(position, index, weights=weights, blocks=blocks)
    ranking = [_ranked(ev, int(row), place) for place, row in enumerate(order_rows(pairs)[:options.limit], start=1)]
    excluded: list[Excluded] = []
    if options.include_excluded:
        excluded = [Excluded(candidate_id=index.candidate_ids[row], reasons=fit.exclusion_reasons(ev, int(row), 0))
                    for row in np.flatnonzero(~pairs.feasible.any(axis=1))]
    return ranking, excluded, pairs


def order_rows(pairs: PairScores) -> np.ndarray:
    """Rows of candidates with a feasible task: score descending, then candidate_id (the index is sorted by id,
    so the row number is the id order)."""
    rows = np.flatnonzero(pairs.feasible.any(axis=1))
    scores = pairs.candidate_score[rows]
    return rows[np.lexsort((rows, -scores))]


def _position_and_options(source, options: MatchOptions | None) -> tuple[Position, MatchOptions]:
    if isinstance(source, dict):
        source = MatchRequest.model_validate(source) if "position" in source else Position.model_validate(source)
    if isinstance(source, MatchRequest):
        return source.position, options or source.options
    return source, options or MatchOptions()


def _ranked(ev: Evaluation, row: int, place: int) -> RankedCandidate:
    f = fit.fit(ev, row, 0)
    return RankedCandidate(candidate_id=ev.index.candidate_ids[row], rank=place, score=f.score,
                           hours_offered=f.hours_offered, feasible_tasks=f.feasible_tasks, explanation=f.explanation)


# ---- the contract entry point ------------------------------------------------------------------------


def match(request: MatchRequest | dict[str, Any]) -> MatchResponse:
    """MatchRequest (model or dict) → MatchResponse: build the pool index, rank, and propose."""
    if not isinstance(request, MatchRequest):
        request = MatchRequest.model_validate(request)
    index = PoolIndex.build(request.candidates)
    ranking, excluded, pairs = rank(request.position, index, request.options)
    proposals = _proposals(request.position, pairs, request.options) if request.options.proposals else []
    return MatchResponse(position_id=request.position.id, ranking=ranking, excluded=excluded, proposals=proposals)


def _proposals(position: Position, pairs: PairScores, options: MatchOptions) -> list[Proposal]:
    """OR-Tools proposals: the best single person and, when better, a split (matcher.split)."""
    return split_position(position, pairs, top_k=options.top_k)
