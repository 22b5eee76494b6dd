"""The one explanation builder: how one candidate fits one position of an `Evaluation`, in the words a
consultant reads. Ranking (a row of the pool for its one position) and supply (its one citizen for each
position shown) both call `fit` and `exclusion_reasons`, so the two sides cannot tell a pair differently.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher import explain, rules, scoring
from matcher.competences import CV_WEIGHT, MATCH_THRESHOLD
from matcher.evaluation import DECIMALS, Evaluation
from models.schemas import CompetenceMatch, ExclusionReason, Explanation, MissingCompetence, Task
from models.vocabulary import EvidenceSource


@dataclass(frozen=True)
class Evidence:
    """A candidate's best evidence for one required term: which of their terms (or CV phrases), how much."""

    matched: str
    similarity: float
    source: EvidenceSource


@dataclass(frozen=True)
class Fit:
    """One candidate × one position: the best pair score, the hours they could take, the tasks they may
    take (position order) and the explanation."""

    score: float
    hours_offered: int
    feasible_tasks: list[str]
    explanation: Explanation


def fit(ev: Evaluation, row: int, k: int, evidence: list[Evidence] | None = None) -> Fit:
    """The fit of candidate `row` for position `k`; the candidate must have a feasible task there.
    `evidence` (from `find_evidence(ev, row)`) may be passed when several positions are explained for one row."""
    columns = np.asarray(ev.columns.columns_of(k))
    feasible = ev.feasible[row, columns]
    best = int(columns[np.argmax(np.where(feasible, ev.score[row, columns], -1.0))])
    tasks = ev.columns.positions[k].tasks
    hours = int(min(ev.index.capacity_hours[row], ev.columns.tasks.hours[columns][feasible].sum()))
    return Fit(
        score=float(ev.score[row, best]), hours_offered=hours,
        feasible_tasks=[task.id for task, ok in zip(tasks, feasible) if ok],
        explanation=explanation(ev, row, k, best, evidence if evidence is not None else find_evidence(ev, row)),
    )


def explanation(ev: Evaluation, row: int, k: int, best: int, evidence: list[Evidence]) -> Explanation:
    """Matched and missing competences and accommodations of the feasible tasks, notes on the others, and
    the components of the best column `best`. Only position k's tasks are mentioned."""
    candidate = ev.index.candidates[row]
    matched, missing, accommodations, notes = [], [], [], []
    for column in ev.columns.columns_of(k):
        task = ev.columns.task(column)
        if not ev.feasible[row, column]:
            reasons = rules.pair_reasons(ev.feasibility, _case(ev, row, k, task), row, column)
            if reasons:
                notes.append(explain.infeasible_task_note(task, reasons))
            continue
        for r in ev.columns.required.per_column[column]:
            found = evidence[r]
            required = ev.columns.required.terms[r]
            if found.similarity >= MATCH_THRESHOLD:
                matched.append(CompetenceMatch(task_id=task.id, required=required, matched=found.matched,
                                               similarity=found.similarity, source=found.source))
            else:
                missing.append(MissingCompetence(task_id=task.id, required=required))
        accommodations += explain.accommodations(candidate, task)
    if ev.index.capacity_estimated[row]:
        notes.insert(0, explain.ESTIMATED_CAPACITY_NOTE)
    if np.isnan(ev.distance_km[row, k]):
        notes.insert(0, explain.UNKNOWN_DISTANCE_NOTE)
    return Explanation(matched_competences=matched, missing_competences=missing, accommodations=accommodations,
                       components=components(ev, row, best), notes=notes)


def components(ev: Evaluation, row: int, column: int) -> dict[str, float]:
    """The score components of one pair, and the soft-restriction penalty it pays."""
    out = {name: round(float(ev.components[name][row, column]), DECIMALS) for name in scoring.COMPONENTS}
    out["soft_restriction_penalty"] = round(
        ev.weights.soft_restriction_penalty * float(ev.soft_conflicts[row, column]), DECIMALS)
    return out


def find_evidence(ev: Evaluation, row: int) -> list[Evidence]:
    """For every required term: which of the candidate's terms (or CV phrases) gave their coverage, and how
    much (the same numbers the competence component averages)."""
    index, terms = ev.index, ev.index.vocabulary.terms
    best = [Evidence("", 0.0, EvidenceSource.competence)] * len(ev.columns.required.terms)
    sources = ((index.competence_incidence, 1.0, EvidenceSource.competence, ""),
               (index.cv_incidence, CV_WEIGHT, EvidenceSource.cv, explain.CV_MARK))
    for incidence, weight, source, mark in sources:
        columns = incidence.indices[incidence.indptr[row]:incidence.indptr[row + 1]]
        if columns.size == 0 or not best:
            continue
        sims = weight * ev.similarity[:, columns]
        winners = sims.argmax(axis=1)
        for r, j in enumerate(winners.tolist()):
            if sims[r, j] > best[r].similarity:
                best[r] = Evidence(terms[columns[j]] + mark, float(sims[r, j]), source)
    return [Evidence(e.matched, round(e.similarity, DECIMALS), e.source) for e in best]


def exclusion_reasons(ev: Evaluation, row: int, k: int) -> list[ExclusionReason]:
    """Every reason position k is closed to candidate `row`: the position-wide ones, then each task's."""
    f = ev.feasibility
    reasons = rules.candidate_reasons(f, _case(ev, row, k), row, k)
    for column in ev.columns.columns_of(k):
        reasons += rules.pair_reasons(f, _case(ev, row, k, ev.columns.task(column)), row, column)
    return reasons


def _case(ev: Evaluation, row: int, k: int, task: Task | None = None) -> rules.Case:
    return rules.Case(ev.index.candidates[row], ev.columns.positions[k], float(ev.distance_km[row, k]), task)
