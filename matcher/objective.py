"""The objective that position splitting and batch assignment maximise: the jobcentre's priorities, defined once.

Per position, over the people p it is given (0 when nobody):

    objective = Σ_(p,t) score(p, t) × hours(p, t)                          score-weighted hours
              − Σ_p over_target_loss(p) × hours of p above their target      diminishing above the target
              + Σ_p (PERSON_VALUE + URGENCY_VALUE × urgency(p))              a value per person placed
              − SPLIT_COST × (people − 1)                                    each person beyond the first

Over a batch the objective is the sum of the positions' objectives. The unit is "score-weighted hours": one
hour of work by a perfectly matched person is worth 1.0. Why the weights are what they are:

- PERSON_VALUE = 1.0: SK1 (docs/kpis.md) counts persons in fleksjob, not hours. Without a value per person a
  2-hour citizen is worth at most 2 hours and loses every contest to a 10-hour citizen; one hour's worth per
  person placed is what a consultant gives up to place one more person, while competence fit (up to
  0.55 of every hour) still decides between comparable people.
- URGENCY_VALUE = 0.25 × urgency (matcher.scoring.urgency: LY months near the 18-month refusion line): the
  municipality loses state refusion after that line, so placing a citizen at 17 LY months is worth about a
  quarter hour more than one at 6 months. Its own term, on top of the urgency share inside the score, so it
  counts per person and not only per hour (a 2-hour citizen near the line is as urgent as a 10-hour one).
- SPLIT_COST = 1.3, above PERSON_VALUE + URGENCY_VALUE: a second person in a position costs net 0.3 (0.05
  for the most urgent), so a split must cover hours worth that and is never worth it for its people alone.
  And as a rule (not a price): a split must cover more hours than any one of its people could cover in the
  position alone (`PersonTerms.reach`), so better scores or the target loss never buy two people for one
  person's hours. Before issue 16 the net cost was 0.5 and nobody was valued
  per person: splits with small-capacity citizens were rarely worth it.
- The hours target is HOURS_TARGET_RATIO (0.85, as in matcher.scoring) of capacity, rounded: hours above it
  leave no room for bad days, so each loses OVER_TARGET_LOSS (0.5) of the weakest score among the person's
  tasks in that position, OVER_TARGET_LOSS_ESTIMATED (0.75) when the capacity is only estimated (the target
  may already be too high). The loss is a share of the weakest score so every feasible hour keeps a positive
  value: hours are never left uncovered for nothing.

`score(p, t)` is quantised to 1/SCORE_SCALE so that CP-SAT (integers only) and the reported number agree
exactly; every feasible pair counts at least 1/SCORE_SCALE per hour. Hours above the target are counted per
position (a citizen in two positions has a target in each).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from matcher.scoring import DEFAULT_WEIGHTS, urgency

SCORE_SCALE = 1000
PERSON_VALUE = 1.0
URGENCY_VALUE = 0.25
SPLIT_COST = 1.3
HOURS_TARGET_RATIO = DEFAULT_WEIGHTS.hours_target_ratio
OVER_TARGET_LOSS = 0.5
OVER_TARGET_LOSS_ESTIMATED = 0.75

SPLIT_UNITS = int(round(SPLIT_COST * SCORE_SCALE))
EXTRA_PERSON_COST = round(SPLIT_COST - PERSON_VALUE, 3)   # net cost of one more, not urgent, person in a position
EXTRA_PERSON_UNITS = SPLIT_UNITS                           # the model's per-person cost (the first is refunded)


def quantised_scores(score: np.ndarray, feasible: np.ndarray) -> np.ndarray:
    """Integer score units per hour: round(score × SCORE_SCALE), at least 1 where feasible, 0 elsewhere."""
    units = np.rint(np.clip(score, 0.0, 1.0) * SCORE_SCALE).astype(np.int64)
    return np.where(feasible, np.maximum(units, 1), 0)


@dataclass(frozen=True)
class PersonTerms:
    """Per candidate row of one position: what being placed is worth (PERSON_VALUE + urgency, in units), the
    hours target and the loss per hour above it (units)."""

    person: np.ndarray    # int64 [n]
    target: np.ndarray    # int64 [n]
    penalty: np.ndarray   # int64 [n]
    reach: np.ndarray     # int64 [n]: the hours the person could cover in the position alone (split rule)

    def subset(self, rows: np.ndarray) -> PersonTerms:
        return PersonTerms(self.person[rows], self.target[rows], self.penalty[rows], self.reach[rows])


def hours_target(capacity: np.ndarray) -> np.ndarray:
    """HOURS_TARGET_RATIO of capacity, rounded half up, at least 1."""
    return np.maximum(np.floor(np.asarray(capacity) * HOURS_TARGET_RATIO + 0.5), 1).astype(np.int64)


def person_terms(units: np.ndarray, capacity: np.ndarray, ly_months: np.ndarray | None,
                 capacity_estimated: np.ndarray | None, task_hours: np.ndarray) -> PersonTerms:
    n = len(capacity)
    months = np.zeros(n) if ly_months is None else np.asarray(ly_months, dtype=float)
    estimated = np.zeros(n, bool) if capacity_estimated is None else np.asarray(capacity_estimated, dtype=bool)
    person = np.rint((PERSON_VALUE + URGENCY_VALUE * urgency(months)) * SCORE_SCALE).astype(np.int64)
    weakest = np.where(units > 0, units, np.iinfo(np.int64).max).min(axis=1, initial=np.iinfo(np.int64).max)
    weakest = np.where(weakest == np.iinfo(np.int64).max, 0, weakest)
    loss = np.where(estimated, OVER_TARGET_LOSS_ESTIMATED, OVER_TARGET_LOSS)
    reach = np.minimum(np.asarray(capacity, dtype=np.int64), (units > 0).astype(np.int64) @ task_hours)
    return PersonTerms(person, hours_target(capacity), np.floor(loss * weakest).astype(np.int64), reach)


def plan_units(units: np.ndarray, terms: PersonTerms, plan: dict[int, dict[int, int]]) -> int:
    """The objective of one position's plan (row -> {task: hours}) in integer units."""
    people = [(i, tasks) for i, tasks in plan.items() if sum(tasks.values()) > 0]
    total = 0
    for i, tasks in people:
        hours = sum(tasks.values())
        total += sum(int(units[i, t]) * h for t, h in tasks.items())
        total += int(terms.person[i]) - int(terms.penalty[i]) * max(hours - int(terms.target[i]), 0)
    return total - SPLIT_UNITS * max(len(people) - 1, 0)


def objective_units(hour_units: Iterable[tuple[int, int]], people: int) -> int:
    """Score-weighted hours less the split cost, without the person terms (kept for callers that know
    only hours; plan_units is the objective)."""
    covered = sum(units * hours for units, hours in hour_units)
    return covered - SPLIT_UNITS * max(people - 1, 0)


def to_objective(units: int) -> float:
    return round(units / SCORE_SCALE, 3)
