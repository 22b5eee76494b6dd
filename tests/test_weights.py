"""Weights are a parameter of every entry point: the defaults give today's scores, other weights change the
scores the way the formula says, on the demand side and the supply side alike."""

import dataclasses

import numpy as np
import pytest

from benchmarks.bench_rank import benchmark_position, synthetic_candidates
from benchmarks.naive_scorer import naive_pair_scores
from matcher import PoolIndex, evaluate_position, match, rank, scoring
from matcher.scoring import DEFAULT_WEIGHTS, Weights
from matcher.supply import rank_positions
from models.schemas import Candidate, MatchOptions, Position

POSITION = {
    "id": "S-1", "title": "Rengøring og kantine", "employer": {"id": "V-1", "name": "Bageriet A/S"},
    "location": {"lat": 55.861, "lon": 9.850}, "max_people": 2, "min_hours_per_person": 1,
    "tasks": [
        {"id": "t1", "title": "Rengøring af kontorer", "hours_per_week": 6, "competences": ["rengøring"],
         "demands": {"lifting_kg": 8, "standing": True}, "days": ["mon", "wed", "fri"]},
        {"id": "t2", "title": "Kantine", "hours_per_week": 4, "competences": ["kantinearbejde", "opvask"],
         "demands": {"food_contact": True}},
    ],
}
CANDIDATES = [
    {"id": "B-1", "capacity_hours": 5, "competences": ["rengøringsassistent"], "ly_months_last_24": 3,
     "location": {"lat": 55.87, "lon": 9.84}},
    {"id": "B-2", "capacity_hours": 8, "competences": ["opvask"], "wishes": ["kantine"], "ly_months_last_24": 20,
     "location": {"lat": 55.95, "lon": 9.70}, "restrictions": [{"code": "no_prolonged_standing", "severity": "soft"}]},
    {"id": "B-3", "capacity_hours": 3, "cv_text": "Har gjort rent på en skole", "ly_months_last_24": 17},
]
ONLY_COMPETENCE = Weights(competence=1.0, hours=0.0, distance=0.0, wishes=0.0, urgency=0.0,
                          soft_restriction_penalty=0.0)
ONLY_URGENCY = Weights(competence=0.0, hours=0.0, distance=0.0, wishes=0.0, urgency=1.0,
                       soft_restriction_penalty=0.0)


def ranked(weights=None):
    index = PoolIndex.build([Candidate.model_validate(c) for c in CANDIDATES])
    extra = {} if weights is None else {"weights": weights}
    ranking, _, _ = rank(Position.model_validate(POSITION), index, MatchOptions(), **extra)
    return ranking


def test_default_weights_give_todays_scores():
    # Pinned when urgency and wishes were narrowed to the preference band (issue 12): B-1's full match now
    # ranks above B-2's urgent near-match (before: B-2 0.8447, B-1 0.7278, B-3 0.5817).
    assert [(r.candidate_id, r.score) for r in ranked()] == [("B-1", 0.8734), ("B-2", 0.8224), ("B-3", 0.6749)]
    assert ranked(DEFAULT_WEIGHTS) == ranked()
    response = match({"position": POSITION, "candidates": CANDIDATES, "options": {"proposals": False}})
    assert response.ranking == ranked()


def test_one_component_weighted_alone_is_the_score():
    for weights, name in ((ONLY_COMPETENCE, "competence"), (ONLY_URGENCY, "urgency")):
        for entry in ranked(weights):
            assert entry.score == pytest.approx(entry.explanation.components[name], abs=1e-4)
    # urgency alone orders by LY months
    assert [r.candidate_id for r in ranked(ONLY_URGENCY)] == ["B-2", "B-3", "B-1"]


def test_the_soft_penalty_is_the_weights_and_is_reported():
    harsh = dataclasses.replace(DEFAULT_WEIGHTS, soft_restriction_penalty=0.12)
    index = PoolIndex.build([Candidate.model_validate(c) for c in CANDIDATES])
    default, _ = evaluate_position(Position.model_validate(POSITION), index)
    penalised, _ = evaluate_position(Position.model_validate(POSITION), index, weights=harsh)
    b2 = default.candidate_ids.index("B-2")  # her soft restriction (standing) touches t1 only
    assert penalised.score[b2, 0] == pytest.approx(default.score[b2, 0] - (0.12 - 0.08), abs=1e-4)
    assert penalised.score[b2, 1] == default.score[b2, 1]
    others = [row for row in range(len(CANDIDATES)) if row != b2]
    assert np.array_equal(penalised.score[others], default.score[others])
    cleaning = Position.model_validate({**POSITION, "tasks": POSITION["tasks"][:1]})
    for weights, penalty in ((DEFAULT_WEIGHTS, 0.08), (harsh, 0.12)):
        ranking, _, _ = rank(cleaning, index, MatchOptions(), weights=weights)
        reported = {r.candidate_id: r.explanation.components["soft_restriction_penalty"] for r in ranking}
        assert reported == {"B-1": 0.0, "B-2": penalty, "B-3": 0.0}


def test_the_supply_side_and_the_naive_scorer_follow_other_weights_too():
    weights = dataclasses.replace(ONLY_COMPETENCE, hours=0.2, wishes=0.3, wish_related_credit=0.9)
    citizen = Candidate.model_validate(CANDIDATES[1])
    fits = rank_positions(citizen, [Position.model_validate(POSITION)], weights=weights)
    demand = next(r for r in ranked(weights) if r.candidate_id == citizen.id)
    assert (fits[0].score, fits[0].explanation) == (demand.score, demand.explanation)
    assert fits[0].score != rank_positions(citizen, [Position.model_validate(POSITION)])[0].score

    candidates = synthetic_candidates(80, seed=3)
    fast, _ = evaluate_position(benchmark_position(), PoolIndex.build(candidates), weights=weights)
    slow = naive_pair_scores(benchmark_position(), candidates, weights)
    assert np.array_equal(fast.feasible, slow.feasible)
    assert np.allclose(fast.score, slow.score, atol=1e-4)


def test_combine_takes_components_by_name():
    parts = {"competence": 1.0, "hours": 0.5, "distance": 0.25, "wishes": 0.0, "urgency": 1.0}
    w = DEFAULT_WEIGHTS
    expected = w.competence + 0.5 * w.hours + 0.25 * w.distance + w.urgency - w.soft_restriction_penalty
    assert scoring.combine(parts, 1) == pytest.approx(expected)
    assert scoring.combine(dict(reversed(parts.items())), 1) == scoring.combine(parts, 1)
    with pytest.raises(ValueError):
        scoring.combine({**parts, "speed": 1.0}, 0)
    with pytest.raises(ValueError):
        scoring.combine({k: v for k, v in parts.items() if k != "hours"}, 0)
