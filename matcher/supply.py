"""Supply-led ranking: the best open positions for ONE citizen, vectorised across all positions at once.

The tasks of every open position are laid side by side as the columns of one evaluation, so competence
similarity, restrictions, licence, days, hours, wishes and urgency are computed for all positions in one
pass of array operations; what depends on a position as a whole (distance to its workplace,
`min_hours_per_person`) is applied per column from per-position arrays. Everything that does not depend
on the citizen is prepared once in `OpenPositions` (the API caches it per jobcentre).

The formulas are the demand side's (matcher.ranking.evaluate_position, matcher.scoring): a citizen's score
and explanation for a position are the same whichever side asks, which tests/test_api_supply.py checks
property by property. Explanations are written only for the positions shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from matcher import explain, scoring
from matcher.competences import MATCH_THRESHOLD
from matcher.geo import haversine_km
from matcher.pool_index import PoolIndex
from matcher.competences import CV_WEIGHT, TermFeatures, competence_model
from matcher.constraints import TaskArrays, evaluate_constraints
from matcher.ranking import DECIMALS, PositionDetails, matched_terms, row_max
from matcher.scoring import DEFAULT_WEIGHTS, Weights
from models.schemas import (
    Candidate, CompetenceMatch, Employer, Explanation, MissingCompetence, Position, Task,
)


@dataclass(frozen=True)
class PositionFit:
    position_id: str
    rank: int
    score: float
    hours_offered: int
    feasible_tasks: list[str]
    explanation: Explanation


_PLACEHOLDER_EMPLOYER = Employer.model_construct(id="-", name="-", size="small", sector="private",
                                                 has_fleksjob_experience=False, max_fleksjobbere=None)


@dataclass(frozen=True)
class OpenPositions:
    """Everything about a set of positions that does not depend on the citizen, prepared once (the API
    caches it per jobcentre until a position changes): all tasks as one column space, their arrays, the
    required competence terms and their features, and the wish affinity of every competence family."""

    positions: tuple[Position, ...]
    combined: Position
    tasks: TaskArrays
    owner: np.ndarray                         # int [T]: position index of each column
    starts: np.ndarray                        # int [P]: first column of each position
    required_terms: tuple[str, ...]
    task_required: tuple[tuple[int, ...], ...]
    required: TermFeatures
    affinity: np.ndarray                      # [families, T]
    lat: np.ndarray                           # [P], NaN unknown
    lon: np.ndarray
    min_hours: np.ndarray                     # [P]
    ids: np.ndarray                           # [P] position ids (object)
    term_slots: np.ndarray                    # int [T, K]: each column's required terms, padded with 0
    slot_used: np.ndarray                     # bool [T, K]: which slots hold a term
    term_counts: np.ndarray                   # int [T]: required terms per column
    long_columns: tuple[int, ...]             # columns with more terms than SEQUENTIAL_TERMS

    @classmethod
    def build(cls, positions: Iterable[Position]) -> OpenPositions:
        positions = tuple(p for p in positions if p.tasks)
        tasks: list[Task] = []
        owner: list[int] = []
        for k, position in enumerate(positions):
            for j, task in enumerate(position.tasks):
                # Column ids only need to be unique here; the real task ids are restored for output.
                tasks.append(task.model_copy(update={"id": f"{k}/{j}"}))
                owner.append(k)
        # model_construct: an internal vehicle, not a contract object (it may hold more than 30 tasks).
        # No location and min hours 1: both are applied per position in `rank_positions`.
        combined = Position.model_construct(id="*", title="*", employer=_PLACEHOLDER_EMPLOYER, location=None,
                                            max_people=1, min_hours_per_person=1, tasks=tasks, jobcenter=None)
        owner_arr = np.array(owner, dtype=np.int64)
        model = competence_model()
        required_terms = tuple(dict.fromkeys(term for task in tasks for term in task.competences))
        column = {term: r for r, term in enumerate(required_terms)}
        task_required = tuple(tuple(dict.fromkeys(column[t] for t in task.competences)) for task in tasks)
        required = model.features(required_terms)
        slots, used, counts, long_columns = _term_slots(task_required)
        return cls(
            positions=positions, combined=combined, tasks=TaskArrays.from_position(combined), owner=owner_arr,
            starts=np.searchsorted(owner_arr, np.arange(len(positions))),
            required_terms=required_terms, task_required=task_required, required=required,
            affinity=_affinity(tasks, required, task_required, DEFAULT_WEIGHTS.wish_related_credit),
            lat=np.array([np.nan if p.location is None else p.location.lat for p in positions], dtype=float),
            lon=np.array([np.nan if p.location is None else p.location.lon for p in positions], dtype=float),
            min_hours=np.array([p.min_hours_per_person for p in positions], dtype=np.int64),
            ids=np.array([p.id for p in positions], dtype=object),
            term_slots=slots, slot_used=used, term_counts=counts, long_columns=long_columns,
        )


# The demand side averages a task's coverage with ndarray.mean over its few terms, which numpy sums strictly
# left to right for fewer than 8 values (longer rows are summed pairwise). Adding the slots left to right
# therefore gives bit-identical scores for all tasks at once; the rare longer task is averaged like the
# demand side does it.
SEQUENTIAL_TERMS = 7


def _term_slots(task_required) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, ...]]:
    counts = np.array([len(columns) for columns in task_required], dtype=np.int64)
    width = max(1, min(SEQUENTIAL_TERMS, int(counts.max(initial=0))))
    slots = np.zeros((len(task_required), width), dtype=np.int64)
    used = np.zeros((len(task_required), width), dtype=bool)
    for t, columns in enumerate(task_required):
        if len(columns) <= SEQUENTIAL_TERMS:
            slots[t, :len(columns)] = columns
            used[t, :len(columns)] = True
    long_columns = tuple(int(t) for t in np.flatnonzero(counts > SEQUENTIAL_TERMS))
    return slots, used, counts, long_columns


def _competence(ps: OpenPositions, coverage: np.ndarray, no_competence_required: float) -> np.ndarray:
    """[n, T]: the mean coverage of each column's required terms (no_competence_required when it has none)."""
    if coverage.shape[1] == 0:  # no column requires any term
        return np.full((coverage.shape[0], len(ps.term_counts)), no_competence_required)
    gathered = np.where(ps.slot_used, coverage[:, ps.term_slots], 0.0)  # [n, T, K]
    total = gathered[:, :, 0]
    for k in range(1, gathered.shape[2]):
        total = total + gathered[:, :, k]
    with np.errstate(invalid="ignore", divide="ignore"):
        competence = np.where(ps.term_counts > 0, total / ps.term_counts, no_competence_required)
    for t in ps.long_columns:
        competence[:, t] = coverage[:, list(ps.task_required[t])].mean(axis=1)
    return competence


def _affinity(tasks: list[Task], required: TermFeatures, task_required, credit: float) -> np.ndarray:
    """[families, T] wish credit of each competence family for each task (as the demand side computes it:
    a task's families are those of its required terms, or of its title when it lists none)."""
    model = competence_model()
    task_families = []
    for task, columns in zip(tasks, task_required):
        found = {int(required.family[r]) for r in columns if required.family[r] >= 0}
        if not columns:
            found = {model.family_index(f) for f in [model.resolve(task.title).family] if f is not None}
        task_families.append(sorted(found))
    n_families = len(model.family_ids)
    return np.array([[model.family_affinity([f], fams, credit) for fams in task_families]
                     for f in range(n_families)]).reshape(n_families, len(tasks))


def _evaluate(ps: OpenPositions, index: PoolIndex, weights: Weights) -> tuple[np.ndarray, PositionDetails]:
    """The demand side's evaluate_position for a one-citizen pool over all columns, reusing the prepared
    position side. Returns the pair-level feasibility [T] and the details explanations read."""
    model = competence_model()
    affinity = ps.affinity
    if weights.wish_related_credit != DEFAULT_WEIGHTS.wish_related_credit:
        affinity = _affinity(list(ps.combined.tasks), ps.required, ps.task_required, weights.wish_related_credit)
    feasibility = evaluate_constraints(index, ps.combined, ps.tasks)
    similarity = model.similarity_matrix(ps.required, index.vocabulary)
    strong = row_max(similarity, index.competence_incidence, index.competence_entry_rows)
    cv = row_max(similarity, index.cv_incidence, index.cv_entry_rows)
    coverage = np.maximum(strong, CV_WEIGHT * cv)
    competence = _competence(ps, coverage, weights.no_competence_required)
    components = {
        "competence": competence,
        "hours": scoring.hours_fit(ps.tasks.hours[None, :], index.capacity_hours[:, None], weights),
        "wishes": row_max(affinity.T, index.wish_families),
        "urgency": np.broadcast_to(scoring.urgency(index.ly_months, weights)[:, None], competence.shape),
    }
    details = PositionDetails(ps.combined, ps.tasks, feasibility, ps.required_terms, ps.task_required, similarity,
                              coverage, components, weights)
    return feasibility.feasible[0], details


def rank_positions(candidate: Candidate | PoolIndex, positions: OpenPositions | Iterable[Position], *,
                   limit: int = 10, weights: Weights = DEFAULT_WEIGHTS) -> list[PositionFit]:
    """Open positions the citizen can take at least one task of, best first (score desc, position id asc).
    The citizen may be given as a one-citizen PoolIndex already built (the API caches those)."""
    ps = positions if isinstance(positions, OpenPositions) else OpenPositions.build(positions)
    if not ps.positions:
        return []
    index = candidate if isinstance(candidate, PoolIndex) else PoolIndex.build([candidate])
    if index.size != 1:
        raise ValueError("rank_positions ranks positions for exactly one citizen")
    candidate = index.candidates[0]
    pair_feasible, details = _evaluate(ps, index, weights)

    if candidate.location is None:
        distance = np.full(len(ps.positions), np.nan)
    else:  # haversine is symmetric: from every workplace to the one citizen
        distance = haversine_km(ps.lat, ps.lon, candidate.location.lat, candidate.location.lon)
    with np.errstate(invalid="ignore"):
        too_far = distance > (candidate.max_commute_km or np.inf)
    position_ok = ~too_far & (candidate.capacity_hours >= ps.min_hours)
    feasible = pair_feasible & position_ok[ps.owner]

    distance_component = scoring.distance_decay(distance, weights)[ps.owner]
    details.components["distance"] = distance_component[None, :]
    c = details.components
    score = scoring.combine({name: c[name][0] for name in scoring.COMPONENTS},
                            details.feasibility.soft_conflicts[0], weights)
    score = np.where(feasible, np.round(score, DECIMALS), 0.0)

    masked = np.where(feasible, score, -1.0)
    best = np.maximum.reduceat(masked, ps.starts)
    offered = np.minimum(np.add.reduceat(np.where(feasible, ps.tasks.hours, 0), ps.starts), candidate.capacity_hours)
    rows = np.flatnonzero(best >= 0)
    order = rows[np.lexsort((ps.ids[rows], -best[rows]))][:limit]
    evidence = matched_terms(index, details, 0) if len(order) else []
    return [_fit(ps, details, index, evidence, feasible, score, distance, int(k), place, int(offered[k]))
            for place, k in enumerate(order, start=1)]


def _fit(ps: OpenPositions, details: PositionDetails, index: PoolIndex, evidence: list[tuple[str, float, str]],
         feasible: np.ndarray, score: np.ndarray, distance: np.ndarray, k: int, place: int,
         offered: int) -> PositionFit:
    position = ps.positions[k]
    columns = np.flatnonzero(ps.owner == k)
    best_col = int(columns[np.argmax(np.where(feasible[columns], score[columns], -1.0))])
    return PositionFit(
        position_id=position.id, rank=place, score=float(score[best_col]), hours_offered=offered,
        feasible_tasks=[position.tasks[i].id for i, col in enumerate(columns) if feasible[col]],
        explanation=_explanation(position, columns, details, index, evidence, feasible, best_col, distance[k]),
    )


def _explanation(position: Position, columns: np.ndarray, details: PositionDetails, index: PoolIndex,
                 evidence: list[tuple[str, float, str]], feasible: np.ndarray, best_col: int,
                 distance_km: float) -> Explanation:
    """The demand side's explanation for this citizen and this position: only this position's tasks, so
    only restrictions that touch those tasks are mentioned."""
    candidate = index.candidates[0]
    f = details.feasibility
    matched, missing, accommodations, notes = [], [], [], []
    for task, col in zip(position.tasks, columns):
        if not feasible[col]:
            reasons = explain.task_reasons(candidate, task, bool(f.restriction_conflict[0, col]),
                                           bool(f.missing_licence[0, col]), bool(f.no_common_days[0, col]))
            if reasons:
                notes.append(explain.infeasible_task_note(task, reasons))
            continue
        for r in details.task_required[col]:
            term, similarity, source = evidence[r]
            if similarity >= MATCH_THRESHOLD:
                matched.append(CompetenceMatch(task_id=task.id, required=details.required_terms[r], matched=term,
                                               similarity=similarity, source=source))
            else:
                missing.append(MissingCompetence(task_id=task.id, required=details.required_terms[r]))
        accommodations += explain.accommodations(candidate, task)
    if candidate.capacity_basis == "estimated":
        notes.insert(0, explain.ESTIMATED_CAPACITY_NOTE)
    if np.isnan(distance_km):
        notes.insert(0, explain.UNKNOWN_DISTANCE_NOTE)
    components = {name: round(float(details.components[name][0, best_col]), DECIMALS) for name in scoring.COMPONENTS}
    components["soft_restriction_penalty"] = round(
        details.weights.soft_restriction_penalty * int(f.soft_conflicts[0, best_col]), DECIMALS)
    return Explanation(matched_competences=matched, missing_competences=missing, accommodations=accommodations,
                       components=components, notes=notes)


__all__ = ["OpenPositions", "PositionFit", "rank_positions"]
