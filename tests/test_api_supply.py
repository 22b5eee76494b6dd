"""matcher.supply: the supply-led ranking agrees with the demand side and never proposes a position whose
every task a hard restriction rules out."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher import PoolIndex, rank
from matcher.supply import rank_positions
from models.schemas import Candidate, MatchOptions, Position

FLAGS = ["standing", "food_contact", "chemicals", "driving", "outdoor", "customer_contact"]
CODES = {"standing": "no_prolonged_standing", "food_contact": "no_food_contact", "chemicals": "no_chemicals",
         "outdoor": "no_outdoor_work", "customer_contact": "no_customer_contact"}
TERMS = ["rengøring", "kantinearbejde", "pakkearbejde", "havearbejde", "kontorarbejde"]


def _position(k: int, tasks: list[dict], lat: float, min_hours: int) -> Position:
    return Position.model_validate({
        "id": f"S-{k:02d}", "title": f"Stilling {k}", "employer": {"id": f"V-{k}", "name": f"Firma {k}"},
        "location": {"lat": lat, "lon": 9.85}, "min_hours_per_person": min_hours,
        "tasks": [{"id": f"t{j}", **task} for j, task in enumerate(tasks)]})


task_strategy = st.fixed_dictionaries({
    "title": st.sampled_from(["Rengøring", "Kantine", "Lager", "Have", "Kontor"]),
    "hours_per_week": st.integers(1, 12),
    "competences": st.lists(st.sampled_from(TERMS), max_size=2, unique=True),
    "demands": st.fixed_dictionaries({}, optional={f: st.booleans() for f in FLAGS}
                                     | {"lifting_kg": st.sampled_from([0, 5, 15, 25])}),
    "days": st.one_of(st.none(), st.lists(st.sampled_from(["mon", "wed", "fri"]), min_size=1, unique=True)),
})
position_strategy = st.tuples(st.lists(task_strategy, min_size=1, max_size=3),
                              st.floats(55.0, 57.0), st.integers(1, 6))
candidate_strategy = st.fixed_dictionaries({
    "id": st.just("B-1"), "capacity_hours": st.integers(1, 12),
    "competences": st.lists(st.sampled_from(TERMS), max_size=3, unique=True),
    "restrictions": st.lists(st.sampled_from(sorted(CODES.values())), max_size=3, unique=True).map(
        lambda codes: [{"code": c, "severity": "hard"} for c in codes]),
    "driving_licence": st.booleans(), "location": st.just({"lat": 55.9, "lon": 9.85}),
    "max_commute_km": st.one_of(st.none(), st.sampled_from([20.0, 80.0])),
    "available_days": st.one_of(st.none(), st.lists(st.sampled_from(["mon", "tue", "fri"]), min_size=1, unique=True)),
    "ly_months_last_24": st.integers(0, 24),
})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(candidate=candidate_strategy, specs=st.lists(position_strategy, min_size=1, max_size=6))
def test_supply_ranking_equals_the_demand_side_position_by_position(candidate, specs):
    citizen = Candidate.model_validate(candidate)
    positions = [_position(k, tasks, lat, min_hours) for k, (tasks, lat, min_hours) in enumerate(specs)]
    fits = rank_positions(citizen, positions, limit=len(positions))
    index = PoolIndex.build([citizen])
    expected = {}
    for position in positions:
        ranking, _, _ = rank(position, index, MatchOptions(limit=1, include_excluded=False))
        if ranking:
            expected[position.id] = ranking[0]
    assert {f.position_id for f in fits} == set(expected)
    for fit in fits:
        demand = expected[fit.position_id]
        assert fit.score == demand.score
        assert fit.hours_offered == demand.hours_offered
        assert fit.feasible_tasks == demand.feasible_tasks
        assert fit.explanation == demand.explanation
    assert [(-f.score, f.position_id) for f in fits] == sorted((-f.score, f.position_id) for f in fits)
    assert [f.rank for f in fits] == list(range(1, len(fits) + 1))


def test_hard_restriction_rules_out_the_position_and_limit_is_respected():
    citizen = Candidate.model_validate({"id": "B-1", "capacity_hours": 5, "competences": ["rengøring"],
                                       "restrictions": [{"code": "no_food_contact"}]})
    kitchen = _position(1, [{"title": "Køkken", "hours_per_week": 4, "demands": {"food_contact": True}}], 55.9, 1)
    offices = [_position(k, [{"title": "Rengøring", "hours_per_week": 3, "competences": ["rengøring"]}], 55.9, 1)
               for k in range(2, 6)]
    fits = rank_positions(citizen, [kitchen, *offices], limit=3)
    assert [f.position_id for f in fits] == ["S-02", "S-03", "S-04"]  # equal scores: position id decides
    assert rank_positions(citizen, [kitchen]) == []
    assert rank_positions(citizen, []) == []
