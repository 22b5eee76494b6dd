"""Per-pool features computed once, so ranking a position is a handful of array operations.

Everything about a candidate that does not depend on the position lives here, with candidates sorted by
id (input order never matters): capacity, availability, restriction matrices over the catalogue's demands,
licence, day masks, coordinates, commute limits, LY months, wished families, and the competence evidence
as sparse incidence matrices over the pool's distinct vocabulary of terms (the vocabulary is small even
when the pool is large, so term–term similarity is computed once per distinct term, not per candidate).

Fairness: the index copies only the fields listed above. Gender, birth year, origin and `attributes` are
never read, so no score can depend on them.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from typing import Iterable

import numpy as np
from scipy import sparse

from matcher.competences import CompetenceModel, TermFeatures, competence_model, cv_phrases, entry_terms
from matcher.constraints import FLAG_DEMANDS, day_mask
from models.catalogue import NUMERIC_DEMAND, load_catalogue
from models.schemas import Candidate

_DEMAND_BIT = {demand: i for i, demand in enumerate(FLAG_DEMANDS)}


@dataclass(frozen=True)
class PoolIndex:
    candidates: tuple[Candidate, ...]   # sorted by id; kept for explanations of the few shown
    candidate_ids: tuple[str, ...]
    capacity_hours: np.ndarray          # int   [n]
    capacity_estimated: np.ndarray      # bool  [n]
    available: np.ndarray               # bool  [n]
    hard_mask: np.ndarray               # uint32 [n] demands a hard restriction forbids (constraints.demand_mask)
    soft_mask: np.ndarray               # uint32 [n] demands a soft restriction makes an accommodation
    hard_max_lift: np.ndarray           # float [n], inf without a hard lifting limit
    soft_max_lift: np.ndarray           # float [n]
    driving_licence: np.ndarray         # bool  [n]
    day_mask: np.ndarray                # int   [n]
    lat: np.ndarray                     # float [n], NaN unknown
    lon: np.ndarray                     # float [n]
    max_commute_km: np.ndarray          # float [n], inf without a limit
    ly_months: np.ndarray               # float [n]
    wish_families: sparse.csr_matrix    # [n, F] 1 where a wish resolves to the family
    vocabulary: TermFeatures            # distinct competence terms and CV phrases of the pool, sorted
    competence_incidence: sparse.csr_matrix  # [n, V] the citizen lists the term as a competence
    cv_incidence: sparse.csr_matrix          # [n, V] the phrase occurs in the citizen's CV text
    competence_entry_rows: np.ndarray        # int [nnz] row of each stored entry of competence_incidence
    cv_entry_rows: np.ndarray                # int [nnz] row of each stored entry of cv_incidence

    @property
    def size(self) -> int:
        return len(self.candidate_ids)

    @classmethod
    def build(cls, candidates: Iterable[Candidate], model: CompetenceModel | None = None) -> PoolIndex:
        model = model or competence_model()
        pool = tuple(sorted(candidates, key=lambda c: c.id))
        hard_mask, soft_mask, hard_lift, soft_lift = _restriction_arrays(pool)
        competence_terms = [entry_terms(c.competences) for c in pool]
        cv_terms = [cv_phrases(c.cv_text) for c in pool]
        vocabulary = sorted({t for terms in competence_terms + cv_terms for t in terms})
        column = {term: j for j, term in enumerate(vocabulary)}
        competence_incidence, cv_incidence = _incidence(competence_terms, column), _incidence(cv_terms, column)
        return cls(
            candidates=pool,
            candidate_ids=tuple(c.id for c in pool),
            capacity_hours=np.array([c.capacity_hours for c in pool], dtype=np.int64),
            capacity_estimated=np.array([c.capacity_basis == "estimated" for c in pool], dtype=bool),
            available=np.array([c.status == "available" for c in pool], dtype=bool),
            hard_mask=hard_mask, soft_mask=soft_mask, hard_max_lift=hard_lift, soft_max_lift=soft_lift,
            driving_licence=np.array([c.driving_licence for c in pool], dtype=bool),
            day_mask=np.array([day_mask(c.available_days) for c in pool], dtype=np.int64),
            lat=np.array([np.nan if c.location is None else c.location.lat for c in pool], dtype=float),
            lon=np.array([np.nan if c.location is None else c.location.lon for c in pool], dtype=float),
            max_commute_km=np.array([np.inf if c.max_commute_km is None else c.max_commute_km for c in pool],
                                    dtype=float),
            ly_months=np.array([c.ly_months_last_24 for c in pool], dtype=float),
            wish_families=_wish_matrix(pool, model),
            vocabulary=model.features(vocabulary, transposed=True),
            competence_incidence=competence_incidence,
            cv_incidence=cv_incidence,
            competence_entry_rows=_entry_rows(competence_incidence),
            cv_entry_rows=_entry_rows(cv_incidence),
        )

    def position_of(self, candidate_id: str) -> int:
        """Row of a candidate (binary search over the sorted ids)."""
        row = bisect_left(self.candidate_ids, candidate_id)
        if row >= self.size or self.candidate_ids[row] != candidate_id:
            raise KeyError(candidate_id)
        return row


def _restriction_arrays(pool: tuple[Candidate, ...]):
    n = len(pool)
    hard, soft = np.zeros(n, dtype=np.uint32), np.zeros(n, dtype=np.uint32)
    hard_lift, soft_lift = np.full(n, np.inf), np.full(n, np.inf)
    specs = load_catalogue().restrictions
    for row, candidate in enumerate(pool):
        for restriction in candidate.restrictions:
            demand = specs[restriction.code].demand
            is_hard = restriction.severity == "hard"
            if demand == NUMERIC_DEMAND:
                (hard_lift if is_hard else soft_lift)[row] = float(restriction.value)
            else:
                (hard if is_hard else soft)[row] |= np.uint32(1 << _DEMAND_BIT[demand])
    return hard, soft, hard_lift, soft_lift


def _incidence(rows: list[list[str]], column: dict[str, int]) -> sparse.csr_matrix:
    """Binary [n, V] matrix with sorted column indices per row."""
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indices: list[int] = []
    for i, terms in enumerate(rows):
        cols = sorted({column[t] for t in terms})
        indices.extend(cols)
        indptr[i + 1] = len(indices)
    data = np.ones(len(indices), dtype=float)
    return sparse.csr_matrix((data, np.array(indices, dtype=np.int64), indptr), shape=(len(rows), len(column)))


def _entry_rows(matrix: sparse.csr_matrix) -> np.ndarray:
    return np.repeat(np.arange(matrix.shape[0], dtype=np.int64), np.diff(matrix.indptr))


def _wish_matrix(pool: tuple[Candidate, ...], model: CompetenceModel) -> sparse.csr_matrix:
    rows = []
    for candidate in pool:
        families = {model.resolve_family(w) for w in candidate.wishes}
        rows.append(sorted(model.family_index(f) for f in families if f is not None))
    indptr = np.cumsum([0] + [len(r) for r in rows])
    indices = np.array([f for r in rows for f in r], dtype=np.int64)
    return sparse.csr_matrix((np.ones(len(indices)), indices, indptr), shape=(len(pool), len(model.family_ids)))
