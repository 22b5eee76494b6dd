"""The pure matching core: competence matching, hard rules, scoring, explanations, ranking, proposals.

Public entry points:
    match(request) -> MatchResponse                           the contract in docs/matching.md
    PoolIndex.build(candidates) -> PoolIndex                  per-pool features, computed once
    evaluate_position(position, index, *, weights, blocks) -> (PairScores, Evaluation)
    rank(request_or_position, index, options, *, weights, blocks) -> (ranking, excluded, PairScores)
    supply.rank_positions(candidate, positions, *, limit, weights, blocks) -> [PositionFit]

`weights` default to `scoring.DEFAULT_WEIGHTS`; `blocks` are the caller's own exclusions (`rules.Block`).
The hard rules are the registry `rules.RULES`.
"""

from matcher.pool_index import PoolIndex
from matcher.ranking import evaluate_position, match, rank
from matcher.rules import Block
from matcher.scoring import DEFAULT_WEIGHTS, Weights

__all__ = ["DEFAULT_WEIGHTS", "Block", "PoolIndex", "Weights", "evaluate_position", "match", "rank"]
