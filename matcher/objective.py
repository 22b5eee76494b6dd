"""The objective that position splitting and batch assignment maximise, defined once.

    objective = Σ score(c, t) × hours(c, t)  −  EXTRA_PERSON_COST × (people − 1)      (0 when nobody)

`score(c, t)` is the pair score from PairScores, quantised to 1/SCORE_SCALE so that CP-SAT (integers only)
and the reported number agree exactly; every feasible pair counts at least 1/SCORE_SCALE per hour, so a
feasible hour is never left uncovered for nothing. The unit is "score-weighted hours": one hour of work
by a perfectly matched person is worth 1.0. The first person is free; every further person costs
EXTRA_PERSON_COST, so a split must cover more well-matched hours than that to beat a single person.
Over a batch the objective is the sum of the positions' objectives.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

SCORE_SCALE = 1000
EXTRA_PERSON_COST = 0.5
EXTRA_PERSON_UNITS = int(round(EXTRA_PERSON_COST * SCORE_SCALE))


def quantised_scores(score: np.ndarray, feasible: np.ndarray) -> np.ndarray:
    """Integer score units per hour: round(score × SCORE_SCALE), at least 1 where feasible, 0 elsewhere."""
    units = np.rint(np.clip(score, 0.0, 1.0) * SCORE_SCALE).astype(np.int64)
    return np.where(feasible, np.maximum(units, 1), 0)


def objective_units(hour_units: Iterable[tuple[int, int]], people: int) -> int:
    """Objective in integer units from (score units per hour, hours) pairs and the number of people."""
    covered = sum(units * hours for units, hours in hour_units)
    return covered - EXTRA_PERSON_UNITS * max(people - 1, 0)


def to_objective(units: int) -> float:
    return round(units / SCORE_SCALE, 3)
