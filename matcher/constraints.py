"""Hard constraints, vectorised over the pool: the task columns as arrays, the mask primitives the rules in
`matcher.rules` are built from, and `Feasibility`, every rule's verdict.

The rules themselves (exclusion code, scope, mask, Danish reason, label) are entries of the registry in
`matcher.rules`; this module knows no rule by name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from matcher.scoring import soft_lifting_severity
from models.catalogue import DAYS, LICENCE_DEMAND, NUMERIC_DEMAND, load_catalogue
from models.schemas import Position, Task

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
        return cls.from_tasks(position.tasks)

    @classmethod
    def from_tasks(cls, tasks: Sequence[Task]) -> TaskArrays:
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
    """Every hard rule's verdict, by exclusion code. Rules of pair scope give bool [n, T] (candidate × task
    column); rules of candidate scope give bool [n, P] (candidate × position) and reach the columns through
    `owner`. `supplied` holds what the caller ruled out itself (`matcher.rules.Block`): per (row, position),
    the (code, Danish detail) of each block, in the caller's order."""

    pair: Mapping[str, np.ndarray]
    candidate: Mapping[str, np.ndarray]
    supplied: Mapping[tuple[int, int], tuple[tuple[str, str], ...]]
    owner: np.ndarray                  # int [T]: position of each column
    shape: tuple[int, int]             # (n candidates, P positions)
    feasible: np.ndarray = field(init=False, repr=False)  # bool [n, T]: no rule holds, no block applies

    def __post_init__(self) -> None:
        object.__setattr__(self, "feasible", self._feasible())

    def _feasible(self) -> np.ndarray:
        blocked = np.zeros(self.shape, dtype=bool)
        for mask in self.candidate.values():
            blocked = blocked | mask
        for row, k in self.supplied:
            blocked[row, k] = True
        ok = ~blocked[:, self.owner]
        for mask in self.pair.values():
            ok &= ~mask
        return ok

    def supplied_details(self, row: int, k: int, code: str) -> list[str]:
        return [detail for c, detail in self.supplied.get((row, k), ()) if c == code]


def restriction_conflicts(masks: np.ndarray, max_lift: np.ndarray, tasks: TaskArrays) -> np.ndarray:
    """[n, T] True where one of the restriction masks (or the lifting limit) meets a task demand."""
    flag_hits = (masks[:, None] & tasks.demand_mask[None, :]) != 0
    return flag_hits | (tasks.lifting_kg[None, :] > max_lift[:, None])


def soft_conflict_load(masks: np.ndarray, max_lift: np.ndarray, tasks: TaskArrays) -> np.ndarray:
    """[n, T] the soft restrictions each task touches, each by its severity: 1 per yes/no demand, and for a
    soft lifting limit the excess as a share of the limit (`scoring.soft_lifting_severity`): a task 1 kg over
    a 5 kg limit weighs 0.2, one four times the limit weighs 1."""
    counts = np.bitwise_count(masks[:, None] & tasks.demand_mask[None, :]).astype(float)
    return counts + soft_lifting_severity(tasks.lifting_kg[None, :], max_lift[:, None])
