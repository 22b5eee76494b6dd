"""The task-column space: one position's tasks, or many positions' tasks side by side, as the columns of
one evaluation.

Ranking (one position against a pool) and supply (one citizen against every open position) evaluate the
same space, so both sides compute a pair's feasibility, score and explanation with the same code. What
depends on a position as a whole (its workplace, `min_hours_per_person`, and the hard rules of candidate
scope) is kept per position ([P] arrays) and reaches its columns through `owner`. Everything here is
independent of the citizens, so it is prepared once (the API caches it per jobcentre).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from matcher.competences import TermFeatures, competence_model
from matcher.constraints import TaskArrays
from models.schemas import Position, Task

SEQUENTIAL_TERMS = 7
"""A column's competence is the mean coverage of its required terms. numpy sums fewer than 8 values strictly
left to right, so adding term slots left to right gives the mean bit for bit for every column at once; a
column with more terms is averaged like a 1-D ndarray.mean of its coverage (`long_columns`, summed pairwise by
`matcher.evaluation.row_means`, the same bits for a pool of many candidates as for one citizen)."""


@dataclass(frozen=True)
class RequiredTerms:
    """The distinct required competence terms over all columns, and each column's terms as slots."""

    terms: tuple[str, ...]
    features: TermFeatures
    per_column: tuple[tuple[int, ...], ...]  # each column's terms as indices into `terms`
    slots: np.ndarray                        # int [T, K]: the same, padded with 0
    slot_used: np.ndarray                    # bool [T, K]
    counts: np.ndarray                       # int [T]
    long_columns: tuple[int, ...]            # columns with more than SEQUENTIAL_TERMS terms

    @classmethod
    def build(cls, tasks: list[Task]) -> RequiredTerms:
        terms = tuple(dict.fromkeys(term for task in tasks for term in task.competences))
        index = {term: r for r, term in enumerate(terms)}
        per_column = tuple(tuple(dict.fromkeys(index[t] for t in task.competences)) for task in tasks)
        counts = np.array([len(columns) for columns in per_column], dtype=np.int64)
        width = max(1, min(SEQUENTIAL_TERMS, int(counts.max(initial=0))))
        slots = np.zeros((len(tasks), width), dtype=np.int64)
        used = np.zeros((len(tasks), width), dtype=bool)
        for t, columns in enumerate(per_column):
            if len(columns) <= SEQUENTIAL_TERMS:
                slots[t, :len(columns)] = columns
                used[t, :len(columns)] = True
        long_columns = tuple(int(t) for t in np.flatnonzero(counts > SEQUENTIAL_TERMS))
        return cls(terms, competence_model().features(terms), per_column, slots, used, counts, long_columns)


@dataclass(frozen=True)
class TaskColumns:
    """Positions side by side: column t is task `tasks[t]` of position `owner[t]`."""

    positions: tuple[Position, ...]
    tasks: TaskArrays
    owner: np.ndarray          # int [T]: position of each column
    starts: np.ndarray         # int [P]: first column of each position
    position_ids: np.ndarray   # object [P]
    lat: np.ndarray            # float [P], NaN unknown
    lon: np.ndarray            # float [P]
    min_hours: np.ndarray      # int [P]
    required: RequiredTerms
    task_families: tuple[tuple[int, ...], ...]  # per column: its competence families (for wishes)
    _affinity: dict[float, np.ndarray] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(cls, positions: Iterable[Position]) -> TaskColumns:
        positions = tuple(p for p in positions if p.tasks)
        tasks = [task for position in positions for task in position.tasks]
        owner = np.array([k for k, position in enumerate(positions) for _ in position.tasks], dtype=np.int64)
        required = RequiredTerms.build(tasks)
        return cls(
            positions=positions, tasks=TaskArrays.from_tasks(tasks), owner=owner,
            starts=np.searchsorted(owner, np.arange(len(positions))),
            position_ids=np.array([p.id for p in positions], dtype=object),
            lat=np.array([np.nan if p.location is None else p.location.lat for p in positions], dtype=float),
            lon=np.array([np.nan if p.location is None else p.location.lon for p in positions], dtype=float),
            min_hours=np.array([p.min_hours_per_person for p in positions], dtype=np.int64),
            required=required, task_families=_task_families(tasks, required),
        )

    @property
    def size(self) -> int:
        """Number of columns."""
        return len(self.owner)

    def columns_of(self, k: int) -> range:
        """The columns of position k, in its task order."""
        return range(int(self.starts[k]), int(self.starts[k]) + len(self.positions[k].tasks))

    def task(self, column: int) -> Task:
        k = int(self.owner[column])
        return self.positions[k].tasks[column - int(self.starts[k])]

    def affinity(self, related_credit: float) -> np.ndarray:
        """[families, T]: the wish credit of each competence family for each column (memoised per credit:
        the weights are a parameter, the families are not)."""
        cached = self._affinity.get(related_credit)
        if cached is None:
            model = competence_model()
            n_families = len(model.family_ids)
            cached = np.array([[model.family_affinity([f], families, related_credit) for families in self.task_families]
                               for f in range(n_families)]).reshape(n_families, self.size)
            self._affinity[related_credit] = cached
        return cached


def _task_families(tasks: list[Task], required: RequiredTerms) -> tuple[tuple[int, ...], ...]:
    """Each column's competence families: of its required terms, or of its title when it lists none."""
    model = competence_model()
    out = []
    for task, columns in zip(tasks, required.per_column):
        found = {int(required.features.family[r]) for r in columns if required.features.family[r] >= 0}
        if not columns:
            found = {model.family_index(f) for f in [model.resolve(task.title).family] if f is not None}
        out.append(tuple(sorted(found)))
    return tuple(out)
