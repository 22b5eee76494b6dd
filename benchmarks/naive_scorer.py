"""A straightforward per-pair implementation of the same scoring as `matcher.evaluate_position`.

Reference for tests (the vectorised scorer must give the same scores) and baseline for bench_rank.py.
It loops over candidates × tasks in Python, reads each citizen's fields directly and compares terms one by
one with the scalar `CompetenceModel.term_similarity` (memoised per term pair, as any sane per-pair
implementation would). It shares only the scalar formulas of `matcher.scoring` with the vectorised code.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from matcher import scoring
from matcher.competences import CV_WEIGHT, competence_model, cv_phrases, entry_terms
from matcher.pairs import PairScores
from matcher.scoring import DEFAULT_WEIGHTS, Weights
from models.catalogue import load_catalogue
from models.schemas import Candidate, Position, Task


@lru_cache(maxsize=None)
def _similarity(required: str, offered: str) -> float:
    return competence_model().term_similarity(required, offered)


def _distance_km(candidate: Candidate, position: Position) -> float:
    if candidate.location is None or position.location is None:
        return math.nan
    lat1, lon1 = math.radians(candidate.location.lat), math.radians(candidate.location.lon)
    lat2, lon2 = math.radians(position.location.lat), math.radians(position.location.lon)
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(min(max(a, 0.0), 1.0)))


def _conflicts(candidate: Candidate, task: Task, severity: str) -> float:
    """Hard: how many restrictions the task breaks. Soft: their load, a lifting limit by its excess."""
    specs = load_catalogue().restrictions
    count = 0.0
    for restriction in candidate.restrictions:
        if restriction.severity != severity:
            continue
        demand = specs[restriction.code].demand
        if demand == "lifting_kg":
            if severity == "soft":
                count += float(scoring.soft_lifting_severity(task.demands.lifting_kg, restriction.value))
            else:
                count += task.demands.lifting_kg > restriction.value
        else:
            count += bool(getattr(task.demands, demand))
    return count


def _feasible(candidate: Candidate, task: Task, position: Position, distance: float) -> bool:
    if candidate.status != "available" or candidate.capacity_hours < position.min_hours_per_person:
        return False
    if candidate.max_commute_km is not None and not math.isnan(distance) and distance > candidate.max_commute_km:
        return False
    if task.demands.driving and not candidate.driving_licence:
        return False
    if task.days is not None and candidate.available_days is not None \
            and not set(task.days) & set(candidate.available_days):
        return False
    return _conflicts(candidate, task, "hard") == 0


def _coverage(candidate: Candidate, required: str, cv: list[str]) -> float:
    best = 0.0
    for term in entry_terms(candidate.competences):
        best = max(best, _similarity(required, term))
    for phrase in cv:
        best = max(best, CV_WEIGHT * _similarity(required, phrase))
    return best


def _task_families(task: Task) -> list[int]:
    model = competence_model()
    if task.competences:
        families = {model.resolve(t).family for t in task.competences}
    else:
        families = {model.resolve(task.title).family}
    return sorted(model.family_index(f) for f in families if f is not None)


def _wishes(candidate: Candidate, task: Task, credit: float) -> float:
    model = competence_model()
    wished = sorted({model.family_index(f) for f in (model.resolve_family(w) for w in candidate.wishes) if f})
    return model.family_affinity(wished, _task_families(task), credit)


def pair_score(candidate: Candidate, task: Task, position: Position, weights: Weights = DEFAULT_WEIGHTS) -> float:
    """The soft score of one feasible pair, rounded like the vectorised scorer."""
    w = weights
    distance = _distance_km(candidate, position)
    required = list(dict.fromkeys(task.competences))
    if required:
        cv = cv_phrases(candidate.cv_text)
        competence = sum(_coverage(candidate, r, cv) for r in required) / len(required)
    else:
        competence = w.no_competence_required
    components = {
        "competence": competence,
        "hours": scoring.hours_fit(task.hours_per_week, candidate.capacity_hours, w),
        "distance": scoring.distance_decay(distance, w),
        "wishes": _wishes(candidate, task, w.wish_related_credit),
        "urgency": scoring.urgency(candidate.ly_months_last_24, w),
    }
    score = scoring.combine(components, _conflicts(candidate, task, "soft"), w)
    return round(float(score), 4)


def naive_pair_scores(position: Position, candidates: list[Candidate],
                      weights: Weights = DEFAULT_WEIGHTS) -> PairScores:
    pool = sorted(candidates, key=lambda c: c.id)
    feasible = np.zeros((len(pool), len(position.tasks)), dtype=bool)
    score = np.zeros(feasible.shape)
    for i, candidate in enumerate(pool):
        distance = _distance_km(candidate, position)
        for t, task in enumerate(position.tasks):
            if _feasible(candidate, task, position, distance):
                feasible[i, t] = True
                score[i, t] = pair_score(candidate, task, position, weights)
    return PairScores(
        candidate_ids=tuple(c.id for c in pool),
        task_ids=tuple(t.id for t in position.tasks),
        feasible=feasible,
        score=score,
        capacity_hours=np.array([c.capacity_hours for c in pool], dtype=np.int64),
    )
