"""Evaluate one position against a prepared pool, rank the candidates, and answer a MatchRequest.

`evaluate_position` is the vectorised hot path: all candidates × tasks at once, no per-candidate Python.
`rank` orders by score (descending) then candidate_id and writes Danish explanations only for the `limit`
shown and for the excluded. `match` is the contract entry point (docs/matching.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from matcher import explain, scoring
from matcher.competences import CV_WEIGHT, MATCH_THRESHOLD, competence_model
from matcher.constraints import Feasibility, TaskArrays, evaluate_constraints
from matcher.pairs import PairScores
from matcher.pool_index import PoolIndex
from matcher.scoring import DEFAULT_WEIGHTS, Weights
from matcher.split import split_position
from models.schemas import (
    CompetenceMatch, Excluded, Explanation, MatchOptions, MatchRequest, MatchResponse, MissingCompetence,
    Position, Proposal, RankedCandidate,
)
from models.vocabulary import EvidenceSource

DECIMALS = 4
"""Every float in a response is rounded to this many decimals: same request, byte-identical response."""


@dataclass(frozen=True)
class PositionDetails:
    """What `evaluate_position` computed beyond PairScores; explanations read from it."""

    position: Position
    tasks: TaskArrays
    feasibility: Feasibility
    required_terms: tuple[str, ...]            # distinct required competences over all tasks
    task_required: tuple[tuple[int, ...], ...]  # per task: its required terms as indices into required_terms
    similarity: np.ndarray                     # [R, V] required term × pool vocabulary
    coverage: np.ndarray                       # [n, R] best evidence per candidate and required term
    components: dict[str, np.ndarray]          # name → [n, T], in scoring.COMPONENTS order
    weights: Weights


def evaluate_position(position: Position, index: PoolIndex, *,
                      weights: Weights = DEFAULT_WEIGHTS) -> tuple[PairScores, PositionDetails]:
    """Feasibility and soft score for every candidate of the pool × every task of the position."""
    model = competence_model()
    tasks = TaskArrays.from_position(position)
    feasibility = evaluate_constraints(index, position, tasks)
    required_terms = tuple(dict.fromkeys(term for task in position.tasks for term in task.competences))
    term_column = {term: r for r, term in enumerate(required_terms)}
    task_required = tuple(tuple(dict.fromkeys(term_column[t] for t in task.competences)) for task in position.tasks)
    required = model.features(required_terms)
    similarity = model.similarity_matrix(required, index.vocabulary)
    strong = row_max(similarity, index.competence_incidence, index.competence_entry_rows)
    cv = row_max(similarity, index.cv_incidence, index.cv_entry_rows)
    coverage = np.maximum(strong, CV_WEIGHT * cv)

    n = index.size
    competence = np.full((n, len(tasks.task_ids)), weights.no_competence_required)
    for t, columns in enumerate(task_required):
        if columns:
            competence[:, t] = coverage[:, list(columns)].mean(axis=1)
    components = {
        "competence": competence,
        "hours": scoring.hours_fit(tasks.hours[None, :], index.capacity_hours[:, None], weights),
        "distance": np.broadcast_to(scoring.distance_decay(feasibility.distance_km, weights)[:, None], competence.shape),
        "wishes": _wish_scores(position, index, required, task_required, weights.wish_related_credit),
        "urgency": np.broadcast_to(scoring.urgency(index.ly_months, weights)[:, None], competence.shape),
    }
    score = scoring.combine(components, feasibility.soft_conflicts, weights)
    feasible = feasibility.feasible
    pairs = PairScores(
        candidate_ids=index.candidate_ids,
        task_ids=tasks.task_ids,
        feasible=feasible,
        score=np.where(feasible, np.round(score, DECIMALS), 0.0),
        capacity_hours=index.capacity_hours,
    )
    details = PositionDetails(position, tasks, feasibility, required_terms, task_required, similarity, coverage,
                              components, weights)
    return pairs, details


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


def _task_families(position: Position, required, task_required) -> list[list[int]]:
    """Each task's competence families: of its required terms, or of its title when it lists none."""
    model = competence_model()
    families = []
    for task, columns in zip(position.tasks, task_required):
        found = {int(required.family[r]) for r in columns if required.family[r] >= 0}
        if not columns:
            found = {model.family_index(f) for f in [model.resolve(task.title).family] if f is not None}
        families.append(sorted(found))
    return families


def _wish_scores(position: Position, index: PoolIndex, required, task_required, credit: float) -> np.ndarray:
    model = competence_model()
    task_families = _task_families(position, required, task_required)
    affinity = np.array([[model.family_affinity([f], fams, credit) for fams in task_families]
                         for f in range(len(model.family_ids))]).reshape(len(model.family_ids), len(task_families))
    return row_max(affinity.T, index.wish_families)


# ---- ranking ---------------------------------------------------------------------------------------


def rank(request_or_position: MatchRequest | Position | dict[str, Any], index: PoolIndex,
         options: MatchOptions | None = None, *,
         weights: Weights = DEFAULT_WEIGHTS) -> tuple[list[RankedCandidate], list[Excluded], PairScores]:
    """Rank the pool in `index` for one position. A MatchRequest contributes its position and, unless
    `options` is given, its options; its candidates are ignored (the pool is the index)."""
    position, options = _position_and_options(request_or_position, options)
    pairs, details = evaluate_position(position, index, weights=weights)
    ranked_rows = order_rows(pairs)
    ranking = [_ranked(index, pairs, details, int(row), place)
               for place, row in enumerate(ranked_rows[:options.limit], start=1)]
    excluded: list[Excluded] = []
    if options.include_excluded:
        excluded_rows = np.flatnonzero(~pairs.feasible.any(axis=1))
        excluded = [_excluded(index, details, int(row)) for row in excluded_rows]
    return ranking, excluded, pairs


def order_rows(pairs: PairScores) -> np.ndarray:
    """Rows of candidates with a feasible task: score descending, then candidate_id (the index is sorted by id,
    so the row number is the id order)."""
    rows = np.flatnonzero(pairs.feasible.any(axis=1))
    scores = pairs.candidate_score[rows]
    return rows[np.lexsort((rows, -scores))]


def _position_and_options(source, options: MatchOptions | None) -> tuple[Position, MatchOptions]:
    if isinstance(source, dict):
        source = MatchRequest.model_validate(source) if "position" in source else Position.model_validate(source)
    if isinstance(source, MatchRequest):
        return source.position, options or source.options
    return source, options or MatchOptions()


def _ranked(index: PoolIndex, pairs: PairScores, details: PositionDetails, row: int, place: int) -> RankedCandidate:
    feasible = pairs.feasible[row]
    best_task = int(np.argmax(np.where(feasible, pairs.score[row], -1.0)))
    hours_offered = int(min(index.capacity_hours[row], details.tasks.hours[feasible].sum()))
    return RankedCandidate(
        candidate_id=index.candidate_ids[row],
        rank=place,
        score=float(pairs.score[row, best_task]),
        hours_offered=hours_offered,
        feasible_tasks=[tid for tid, ok in zip(details.tasks.task_ids, feasible) if ok],
        explanation=_explanation(index, details, row, best_task, feasible),
    )


def _explanation(index: PoolIndex, details: PositionDetails, row: int, best_task: int,
                 feasible: np.ndarray) -> Explanation:
    candidate = index.candidates[row]
    matched, missing, accommodations, notes = [], [], [], []
    evidence = matched_terms(index, details, row)
    for t, task in enumerate(details.position.tasks):
        if not feasible[t]:
            notes.append(explain.infeasible_task_note(task, _task_reasons(index, details, row, t)))
            continue
        for r in details.task_required[t]:
            term, similarity, source = evidence[r]
            if similarity >= MATCH_THRESHOLD:
                matched.append(CompetenceMatch(task_id=task.id, required=details.required_terms[r],
                                               matched=term, similarity=similarity, source=source))
            else:
                missing.append(MissingCompetence(task_id=task.id, required=details.required_terms[r]))
        accommodations += explain.accommodations(candidate, task)
    if index.capacity_estimated[row]:
        notes.insert(0, explain.ESTIMATED_CAPACITY_NOTE)
    if np.isnan(details.feasibility.distance_km[row]):
        notes.insert(0, explain.UNKNOWN_DISTANCE_NOTE)
    components = {name: round(float(details.components[name][row, best_task]), DECIMALS)
                  for name in scoring.COMPONENTS}
    components["soft_restriction_penalty"] = round(
        details.weights.soft_restriction_penalty * int(details.feasibility.soft_conflicts[row, best_task]), DECIMALS)
    return Explanation(matched_competences=matched, missing_competences=missing, accommodations=accommodations,
                       components=components, notes=notes)


def matched_terms(index: PoolIndex, details: PositionDetails, row: int) -> list[tuple[str, float, str]]:
    """For every required term r: which of the candidate's terms (or CV phrases) gave their coverage, how
    much (the same numbers as `PositionDetails.coverage`), and whether it came from the CV text."""
    best = [("", 0.0, EvidenceSource.competence)] * len(details.required_terms)
    for incidence, weight, source in ((index.competence_incidence, 1.0, EvidenceSource.competence),
                                      (index.cv_incidence, CV_WEIGHT, EvidenceSource.cv)):
        mark = explain.CV_MARK if source == EvidenceSource.cv else ""
        columns = incidence.indices[incidence.indptr[row]:incidence.indptr[row + 1]]
        if columns.size == 0 or not best:
            continue
        sims = weight * details.similarity[:, columns]
        winners = sims.argmax(axis=1)
        for r, j in enumerate(winners.tolist()):
            if sims[r, j] > best[r][1]:
                best[r] = (index.vocabulary.terms[columns[j]] + mark, float(sims[r, j]), source)
    return [(term, round(similarity, DECIMALS), source) for term, similarity, source in best]


def _task_reasons(index: PoolIndex, details: PositionDetails, row: int, t: int):
    f = details.feasibility
    return explain.task_reasons(index.candidates[row], details.position.tasks[t],
                                bool(f.restriction_conflict[row, t]), bool(f.missing_licence[row, t]),
                                bool(f.no_common_days[row, t]))


def _excluded(index: PoolIndex, details: PositionDetails, row: int) -> Excluded:
    f = details.feasibility
    reasons = explain.candidate_reasons(index.candidates[row], details.position, float(f.distance_km[row]),
                                        bool(f.too_far[row]), bool(f.no_capacity[row]), bool(f.unavailable[row]))
    for t in range(len(details.position.tasks)):
        reasons += _task_reasons(index, details, row, t)
    return Excluded(candidate_id=index.candidate_ids[row], reasons=reasons)


# ---- the contract entry point ------------------------------------------------------------------------


def match(request: MatchRequest | dict[str, Any]) -> MatchResponse:
    """MatchRequest (model or dict) → MatchResponse: build the pool index, rank, and propose."""
    if not isinstance(request, MatchRequest):
        request = MatchRequest.model_validate(request)
    index = PoolIndex.build(request.candidates)
    ranking, excluded, pairs = rank(request.position, index, request.options)
    proposals = _proposals(request.position, pairs, request.options) if request.options.proposals else []
    return MatchResponse(position_id=request.position.id, ranking=ranking, excluded=excluded, proposals=proposals)


def _proposals(position: Position, pairs: PairScores, options: MatchOptions) -> list[Proposal]:
    """OR-Tools proposals: the best single person and, when better, a split (matcher.split)."""
    return split_position(position, pairs, top_k=options.top_k)
