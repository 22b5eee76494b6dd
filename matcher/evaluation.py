"""The one evaluation: a pool of candidates × a space of task columns (one position or many side by side).

Vectorised throughout, no per-candidate Python: the hard rules (`matcher.rules`), competence coverage from
the pool's term vocabulary, and the soft score components (`matcher.scoring`). Ranking evaluates one
position against the pool, supply one citizen against every open position; both read their numbers and
explanations from an `Evaluation`, so a pair is scored and explained the same way whichever side asks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from matcher import rules, scoring
from matcher.columns import TaskColumns
from matcher.competences import CV_WEIGHT, competence_model
from matcher.constraints import Feasibility, soft_conflict_load
from matcher.geo import haversine_km
from matcher.pool_index import PoolIndex
from matcher.scoring import DEFAULT_WEIGHTS, Weights

DECIMALS = 4
"""Every float in a response is rounded to this many decimals: same request, byte-identical response."""


@dataclass(frozen=True)
class Evaluation:
    """Rows are the pool's candidates (sorted by id), columns the task columns."""

    index: PoolIndex
    columns: TaskColumns
    weights: Weights
    feasibility: Feasibility
    distance_km: np.ndarray            # float [n, P], NaN when a location is unknown
    similarity: np.ndarray             # [R, V] required term × pool vocabulary
    components: dict[str, np.ndarray]  # name → [n, T] (scoring.COMPONENTS)
    soft_conflicts: np.ndarray         # float [n, T]: soft restrictions the task touches, by severity
    score: np.ndarray                  # float [n, T], rounded to DECIMALS, 0 where infeasible

    @property
    def feasible(self) -> np.ndarray:
        return self.feasibility.feasible


def evaluate(columns: TaskColumns, index: PoolIndex, *, weights: Weights = DEFAULT_WEIGHTS,
             blocks: Iterable[rules.Block] = ()) -> Evaluation:
    """Feasibility and soft score for every candidate of the pool × every column."""
    distance = haversine_km(index.lat[:, None], index.lon[:, None], columns.lat[None, :], columns.lon[None, :])
    feasibility = rules.evaluate(rules.RuleInput(index, columns, distance), blocks)
    similarity = competence_model().similarity_matrix(columns.required.features, index.vocabulary)
    components = _components(columns, index, weights, distance, _coverage(index, similarity))
    soft = soft_conflict_load(index.soft_mask, index.soft_max_lift, columns.tasks)
    score = scoring.combine(components, soft, weights)
    feasible = feasibility.feasible
    return Evaluation(index, columns, weights, feasibility, distance, similarity, components, soft,
                      np.where(feasible, np.round(score, DECIMALS), 0.0))


def _components(columns: TaskColumns, index: PoolIndex, weights: Weights, distance: np.ndarray,
                coverage: np.ndarray) -> dict[str, np.ndarray]:
    competence = _competence(columns, coverage, weights.no_competence_required)
    return {
        "competence": competence,
        "hours": scoring.hours_fit(columns.tasks.hours[None, :], index.capacity_hours[:, None], weights),
        "distance": scoring.distance_decay(distance, weights)[:, columns.owner],
        "wishes": row_max(columns.affinity(weights.wish_related_credit).T, index.wish_families),
        "urgency": np.broadcast_to(scoring.urgency(index.ly_months, weights)[:, None], competence.shape),
    }


def _coverage(index: PoolIndex, similarity: np.ndarray) -> np.ndarray:
    """[n, R]: each candidate's best evidence for each required term (CV text counts CV_WEIGHT)."""
    strong = row_max(similarity, index.competence_incidence, index.competence_entry_rows)
    cv = row_max(similarity, index.cv_incidence, index.cv_entry_rows)
    return np.maximum(strong, CV_WEIGHT * cv)


def _competence(columns: TaskColumns, coverage: np.ndarray, no_competence_required: float) -> np.ndarray:
    """[n, T]: the mean coverage of each column's required terms (no_competence_required when it has none)."""
    required = columns.required
    if coverage.shape[1] == 0:  # no column requires any term
        return np.full((coverage.shape[0], columns.size), no_competence_required)
    gathered = np.where(required.slot_used, coverage[:, required.slots], 0.0)  # [n, T, K]
    total = gathered[:, :, 0]
    for k in range(1, gathered.shape[2]):
        total = total + gathered[:, :, k]
    with np.errstate(invalid="ignore", divide="ignore"):
        competence = np.where(required.counts > 0, total / required.counts, no_competence_required)
    for t in required.long_columns:
        competence[:, t] = row_means(coverage[:, list(required.per_column[t])])
    return competence


def row_means(values: np.ndarray) -> np.ndarray:
    """[n]: the mean of each row, bit for bit the 1-D `ndarray.mean` of that row whatever n is.

    numpy sums pairwise only along the fast axis in memory. A gather of columns (`a[:, idx]`) is column-major
    when it has several rows, and numpy then sums each row strictly left to right; with one row it sums
    pairwise. Without the copy a pair's competence (and its explanation) would depend on how many candidates
    share the evaluation: a pool (ranking) and one citizen (supply) would differ in the last bit.
    """
    return np.ascontiguousarray(values).mean(axis=1)


def row_max(values: np.ndarray, incidence: sparse.csr_matrix, entry_rows: np.ndarray | None = None) -> np.ndarray:
    """[n, R]: for every row of the incidence matrix, the max of values[:, j] over its columns j (0 if none).

    Only the incidence entries whose column has any non-zero value are touched, so the cost is one boolean
    gather over the pool's entries plus work proportional to the actual hits. `entry_rows` (the row of each
    stored entry, precomputed by PoolIndex) saves a search.
    """
    n_rows, n_values = incidence.shape[0], values.shape[0]
    out = np.zeros((n_rows, n_values))
    if incidence.nnz == 0 or n_values == 0:
        return out
    useful = values.max(axis=0) > 0
    hits = np.flatnonzero(useful[incidence.indices])
    if hits.size == 0:
        return out
    if entry_rows is None:
        rows = np.searchsorted(incidence.indptr, hits, side="right") - 1
    else:
        rows = entry_rows[hits]
    starts = np.flatnonzero(np.concatenate(([True], rows[1:] != rows[:-1])))
    gathered = np.ascontiguousarray(values.T)[incidence.indices[hits]]  # [hits, R], rows contiguous
    out[rows[starts]] = np.maximum.reduceat(gathered, starts, axis=0)
    return out
