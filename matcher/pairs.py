"""The candidate × task evaluation of one position: what ranking computes and OR-Tools consumes.

Rows are candidates in `candidate_ids` order, columns are the position's tasks in `task_ids` order.
`feasible[c, t]` is False whenever assigning task t to candidate c would break a hard rule (hard restriction,
missing licence, no common day, too far, no capacity, unavailable). `score[c, t]` is the soft score in [0, 1]
for that pair, 0 where infeasible.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PairScores:
    candidate_ids: tuple[str, ...]
    task_ids: tuple[str, ...]
    feasible: np.ndarray        # bool  [n_candidates, n_tasks]
    score: np.ndarray           # float [n_candidates, n_tasks], 0 where infeasible
    capacity_hours: np.ndarray  # int   [n_candidates]
    ly_months: np.ndarray | None = None           # float [n_candidates]: LY months in the last 24 (objective)
    capacity_estimated: np.ndarray | None = None  # bool  [n_candidates]: capacity only estimated (objective)

    def __post_init__(self) -> None:
        shape = (len(self.candidate_ids), len(self.task_ids))
        if self.feasible.shape != shape or self.score.shape != shape:
            raise ValueError(f"PairScores: matrices must have shape {shape}")
        if self.capacity_hours.shape != (shape[0],):
            raise ValueError("PairScores: capacity_hours must have one entry per candidate")

    @property
    def candidate_score(self) -> np.ndarray:
        """A candidate's overall score: the best over their feasible tasks (what ranking orders by)."""
        if self.score.size == 0:
            return np.zeros(len(self.candidate_ids))
        return np.where(self.feasible, self.score, 0.0).max(axis=1)

    def subset(self, rows: np.ndarray) -> PairScores:
        rows = np.asarray(rows, dtype=int)
        return PairScores(
            candidate_ids=tuple(self.candidate_ids[i] for i in rows),
            task_ids=self.task_ids,
            feasible=self.feasible[rows],
            score=self.score[rows],
            capacity_hours=self.capacity_hours[rows],
            ly_months=None if self.ly_months is None else self.ly_months[rows],
            capacity_estimated=None if self.capacity_estimated is None else self.capacity_estimated[rows],
        )

    def with_capacity(self, capacity: np.ndarray) -> PairScores:
        return PairScores(self.candidate_ids, self.task_ids, self.feasible, self.score, capacity, self.ly_months,
                          self.capacity_estimated)
