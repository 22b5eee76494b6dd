"""Supply-led ranking: the best open positions for ONE citizen, vectorised across all positions at once.

The tasks of every open position are the columns of one evaluation (`matcher.columns.TaskColumns`,
prepared once and cached per jobcentre by the API as `OpenPositions`); the citizen is a one-row pool. The
evaluation and the explanations are the demand side's own (`matcher.evaluation`, `matcher.fit`), so a
citizen's score and explanation for a position are the same whichever side asks, by construction.
Explanations are written only for the positions shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from matcher import fit
from matcher.columns import TaskColumns
from matcher.evaluation import evaluate
from matcher.pool_index import PoolIndex
from matcher.rules import Block
from matcher.scoring import DEFAULT_WEIGHTS, Weights
from models.schemas import Candidate, Explanation, Position

OpenPositions = TaskColumns
"""The open positions of a jobcentre side by side (the name the API's cache uses)."""


@dataclass(frozen=True)
class PositionFit:
    position_id: str
    rank: int
    score: float
    hours_offered: int
    feasible_tasks: list[str]
    explanation: Explanation


def rank_positions(candidate: Candidate | PoolIndex, positions: TaskColumns | Iterable[Position], *,
                   limit: int = 10, weights: Weights = DEFAULT_WEIGHTS,
                   blocks: Iterable[Block] = ()) -> list[PositionFit]:
    """Open positions the citizen can take at least one task of, best first (score desc, position id asc).
    The citizen may be given as a one-citizen PoolIndex already built (the API caches those); `blocks` are
    the caller's own exclusions of this citizen (`matcher.rules.Block`)."""
    columns = positions if isinstance(positions, TaskColumns) else TaskColumns.build(positions)
    if not columns.positions:
        return []
    index = candidate if isinstance(candidate, PoolIndex) else PoolIndex.build([candidate])
    if index.size != 1:
        raise ValueError("rank_positions ranks positions for exactly one citizen")
    ev = evaluate(columns, index, weights=weights, blocks=blocks)
    best = np.maximum.reduceat(np.where(ev.feasible[0], ev.score[0], -1.0), columns.starts)
    shown = np.flatnonzero(best >= 0)
    order = shown[np.lexsort((columns.position_ids[shown], -best[shown]))][:limit]
    evidence = fit.find_evidence(ev, 0) if len(order) else []
    return [_position_fit(columns.positions[k], place, fit.fit(ev, 0, int(k), evidence))
            for place, k in enumerate(order, start=1)]


def _position_fit(position: Position, place: int, f: fit.Fit) -> PositionFit:
    return PositionFit(position_id=position.id, rank=place, score=f.score, hours_offered=f.hours_offered,
                       feasible_tasks=f.feasible_tasks, explanation=f.explanation)


__all__ = ["OpenPositions", "PositionFit", "rank_positions"]
