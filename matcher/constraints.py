"""Hard constraints: which candidate may never be given which task, vectorised over the pool.

A pair (candidate, task) is infeasible when any of these holds (exclusion codes from docs/matching.md):
  restriction_conflict  a hard restriction meets the demand it conflicts with (catalogue), including
                        lifting_kg above the citizen's hard max_lifting_kg
  missing_licence       the task demands driving and the citizen has no driving licence
  no_common_days        none of the task's days is one of the citizen's available days
  too_far               distance to the workplace above the citizen's max_commute_km (both locations known)
  no_capacity           capacity_hours below the position's min_hours_per_person
  unavailable           status is not "available"
The last three concern the whole position; they are per candidate, and make every task infeasible.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.geo import haversine_km
from models.catalogue import DAYS, LICENCE_DEMAND, NUMERIC_DEMAND, load_catalogue
from models.schemas import Position

FLAG_DEMANDS: tuple[str, ...] = tuple(d for d in load_catalogue().demands if d != NUMERIC_DEMAND)
"""The yes/no demands in catalogue order: the columns of the restriction flag matrices."""
ALL_DAYS_MASK = (1 << len(DAYS)) - 1
# Demands and restrictions are bit masks (bit i = FLAG_DEMANDS[i]): a conflict test for the whole pool is
# one AND, a count of soft conflicts one popcount.
assert len(FLAG_DEMANDS) <= 32


def demand_mask(demands: list[str]) -> int:
    mask = 0
    for demand in demands:
        mask |= 1 << FLAG_DEMANDS.index(demand)
    return mask


def day_mask(days: list[str] | None) -> int:
    """Bit mask of week days (bit i = DAYS[i]); None means every day."""
    if days is None:
        return ALL_DAYS_MASK
    mask = 0
    for day in days:
        mask |= 1 << DAYS.index(day)
    return mask


@dataclass(frozen=True)
class TaskArrays:
    """The position's tasks as arrays, columns in task order."""

    task_ids: tuple[str, ...]
    hours: np.ndarray          # int   [T]
    lifting_kg: np.ndarray     # float [T]
    demand_mask: np.ndarray    # uint32 [T] the yes/no demands the task makes
    needs_licence: np.ndarray  # bool  [T]
    day_mask: np.ndarray       # int   [T]

    @classmethod
    def from_position(cls, position: Position) -> TaskArrays:
        tasks = position.tasks
        return cls(
            task_ids=tuple(t.id for t in tasks),
            hours=np.array([t.hours_per_week for t in tasks], dtype=np.int64),
            lifting_kg=np.array([t.demands.lifting_kg for t in tasks], dtype=float),
            demand_mask=np.array([demand_mask([d for d in FLAG_DEMANDS if getattr(t.demands, d)]) for t in tasks],
                                 dtype=np.uint32),
            needs_licence=np.array([bool(getattr(t.demands, LICENCE_DEMAND)) for t in tasks], dtype=bool),
            day_mask=np.array([day_mask(t.days) for t in tasks], dtype=np.int64),
        )


@dataclass(frozen=True)
class Feasibility:
    """Every hard rule's verdict; rows are the pool's candidates, columns the tasks."""

    restriction_conflict: np.ndarray  # bool [n, T]
    missing_licence: np.ndarray       # bool [n, T]
    no_common_days: np.ndarray        # bool [n, T]
    too_far: np.ndarray               # bool [n]
    no_capacity: np.ndarray           # bool [n]
    unavailable: np.ndarray           # bool [n]
    distance_km: np.ndarray           # float [n], NaN when a location is unknown
    soft_conflicts: np.ndarray        # int  [n, T]: soft restrictions the task touches

    @property
    def feasible(self) -> np.ndarray:
        per_candidate = ~(self.too_far | self.no_capacity | self.unavailable)
        per_pair = ~(self.restriction_conflict | self.missing_licence | self.no_common_days)
        return per_pair & per_candidate[:, None]


def restriction_conflicts(masks: np.ndarray, max_lift: np.ndarray, tasks: TaskArrays) -> np.ndarray:
    """[n, T] True where one of the restriction masks (or the lifting limit) meets a task demand."""
    flag_hits = (masks[:, None] & tasks.demand_mask[None, :]) != 0
    return flag_hits | (tasks.lifting_kg[None, :] > max_lift[:, None])


def soft_conflict_counts(masks: np.ndarray, max_lift: np.ndarray, tasks: TaskArrays) -> np.ndarray:
    """[n, T] how many soft restrictions each task touches."""
    counts = np.bitwise_count(masks[:, None] & tasks.demand_mask[None, :]).astype(np.int64)
    return counts + (tasks.lifting_kg[None, :] > max_lift[:, None])


def evaluate_constraints(index, position: Position, tasks: TaskArrays) -> Feasibility:
    """All hard rules for one position against a prepared `PoolIndex`."""
    if position.location is None:
        distance = np.full(index.size, np.nan)
    else:
        distance = haversine_km(index.lat, index.lon, position.location.lat, position.location.lon)
    with np.errstate(invalid="ignore"):
        too_far = distance > index.max_commute_km  # NaN (unknown) compares False: not excluded
    return Feasibility(
        restriction_conflict=restriction_conflicts(index.hard_mask, index.hard_max_lift, tasks),
        missing_licence=tasks.needs_licence[None, :] & ~index.driving_licence[:, None],
        no_common_days=(index.day_mask[:, None] & tasks.day_mask[None, :]) == 0,
        too_far=too_far,
        no_capacity=index.capacity_hours < position.min_hours_per_person,
        unavailable=~index.available,
        distance_km=distance,
        soft_conflicts=soft_conflict_counts(index.soft_mask, index.soft_max_lift, tasks),
    )
