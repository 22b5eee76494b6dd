"""The pure matching core: competence matching, hard constraints, scoring, explanations, ranking, proposals.

Public entry points:
    match(request) -> MatchResponse                           the contract in DESIGN.md
    PoolIndex.build(candidates) -> PoolIndex                  per-pool features, computed once
    evaluate_position(position, index) -> (PairScores, PositionDetails)
    rank(request_or_position, index, options) -> (ranking, excluded, PairScores)
"""

from matcher.pool_index import PoolIndex
from matcher.ranking import evaluate_position, match, rank

__all__ = ["PoolIndex", "evaluate_position", "match", "rank"]
