"""Demand side (a position ranks the pool) and supply side (a citizen ranks the open positions) give the
same score, hours, tasks and explanation for the same (citizen, position) pair: both read one evaluation
through one explanation builder. Checked over generated pairs, with the position among others and the
citizen among others, under default and other weights."""

from __future__ import annotations

import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher import DEFAULT_WEIGHTS, PoolIndex, rank
from matcher.supply import rank_positions
from models.catalogue import DAYS, load_catalogue
from models.schemas import Candidate, MatchOptions, Position

CATALOGUE = load_catalogue()
CODES = sorted(CATALOGUE.restrictions)
FLAG_DEMANDS = sorted(spec.demand for spec in CATALOGUE.restrictions.values() if spec.demand != "lifting_kg")
TERMS = ["rengøring", "kantinearbejde", "opvask", "pakkearbejde", "truckkørsel", "havearbejde", "kørsel",
         "børnepasning", "rengøringsassistent", "lagermand", "gjort rent", "kontorarbejde", "gulvvask"]
OTHER_WEIGHTS = dataclasses.replace(DEFAULT_WEIGHTS, competence=0.3, wishes=0.3, urgency=0.05,
                                    soft_restriction_penalty=0.2, wish_related_credit=0.9)

days = st.none() | st.lists(st.sampled_from(DAYS), min_size=1, max_size=7, unique=True)
location = st.none() | st.builds(lambda a, b: {"lat": a, "lon": b}, st.floats(55.5, 56.2), st.floats(9.4, 10.3))


@st.composite
def citizen(draw, cid: str) -> Candidate:
    restrictions = []
    for code in draw(st.lists(st.sampled_from(CODES), max_size=4, unique=True)):
        entry = {"code": code, "severity": draw(st.sampled_from(["hard", "soft"]))}
        if CATALOGUE.restrictions[code].takes_value:
            entry["value"] = draw(st.sampled_from([2, 5, 10, 20]))
        restrictions.append(entry)
    return Candidate.model_validate({
        "id": cid, "capacity_hours": draw(st.integers(1, 12)),
        "capacity_basis": draw(st.sampled_from(["estimated", "measured"])),
        "competences": draw(st.lists(st.sampled_from(TERMS), max_size=4)),
        "cv_text": draw(st.sampled_from(["", "Har gjort rent på skole", "Kørt truck og pakket varer i lager"])),
        "restrictions": restrictions, "wishes": draw(st.lists(st.sampled_from(["kantine", "Rengøring", "lager"]), max_size=2)),
        "driving_licence": draw(st.booleans()), "location": draw(location),
        "max_commute_km": draw(st.none() | st.sampled_from([5.0, 20.0, 60.0])), "available_days": draw(days),
        "ly_months_last_24": draw(st.integers(0, 24)),
        "status": draw(st.sampled_from(["available", "available", "available", "sick_leave"])),
    })


@st.composite
def position(draw, pid: str) -> Position:
    tasks = []
    for j in range(draw(st.integers(1, 3))):
        demands = {d: True for d in draw(st.lists(st.sampled_from(FLAG_DEMANDS), max_size=3, unique=True))}
        tasks.append({"id": f"t{j}", "title": draw(st.sampled_from(["Rengøring", "Kantine", "Lager", "Have", "Kontor"])),
                      "hours_per_week": draw(st.integers(1, 12)),
                      # up to 9 terms: more than SEQUENTIAL_TERMS takes the other averaging path
                      "competences": draw(st.lists(st.sampled_from(TERMS), max_size=9, unique=True)),
                      "demands": {**demands, "lifting_kg": draw(st.sampled_from([0, 5, 15]))}, "days": draw(days)})
    return Position.model_validate({
        "id": pid, "title": "Stilling", "employer": {"id": "V-1", "name": "Firma"}, "location": draw(location),
        "min_hours_per_person": draw(st.integers(1, 5)), "tasks": tasks})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(person=citizen("B-5"), others=st.lists(citizen("B-x"), max_size=3), target=position("S-5"),
       positions=st.lists(position("S-x"), max_size=4), at=st.integers(0, 4),
       weights=st.sampled_from([DEFAULT_WEIGHTS, OTHER_WEIGHTS]))
def test_both_sides_explain_a_pair_identically(person, others, target, positions, at, weights):
    pool = [person] + [c.model_copy(update={"id": f"B-{i}"}) for i, c in enumerate(others)]
    ranking, excluded, _ = rank(target, PoolIndex.build(pool), MatchOptions(limit=len(pool)), weights=weights)
    demand = next((r for r in ranking if r.candidate_id == person.id), None)

    open_positions = [p.model_copy(update={"id": f"S-{i}"}) for i, p in enumerate(positions)]
    open_positions.insert(min(at, len(open_positions)), target)
    fits = rank_positions(person, open_positions, limit=len(open_positions), weights=weights)
    supply = next((f for f in fits if f.position_id == target.id), None)

    if demand is None:
        assert supply is None
        assert any(e.candidate_id == person.id and e.reasons for e in excluded)
        return
    assert supply is not None
    assert (supply.score, supply.hours_offered, supply.feasible_tasks) == \
        (demand.score, demand.hours_offered, demand.feasible_tasks)
    assert supply.explanation == demand.explanation


# A task with more than SEQUENTIAL_TERMS required terms, and a citizen whose coverage of them sums to a
# mean that rounds differently when added left to right (0.33875000000000005 → 0.3388) than pairwise
# (0.33875 → 0.3387): numpy summed the gathered coverage of a pool left to right but of one citizen pairwise.
EIGHT_TERMS = ["rengøring", "kantinearbejde", "pakkearbejde", "lagermand", "opvask", "truckkørsel", "havearbejde",
               "kørsel"]
LONG_TASK_POSITION = {"id": "S-5", "title": "Stilling", "employer": {"id": "V-1", "name": "Firma"},
                      "min_hours_per_person": 1,
                      "tasks": [{"id": "t0", "title": "Rengøring", "hours_per_week": 1, "competences": EIGHT_TERMS}]}
LONG_TASK_CITIZEN = {"id": "B-5", "capacity_hours": 1, "competences": ["rengøring"],
                     "cv_text": "Kørt truck og pakket varer i lager"}


def test_a_long_task_is_explained_alike_in_a_pool_and_alone():
    person = Candidate.model_validate(LONG_TASK_CITIZEN)
    other = Candidate.model_validate({"id": "B-0", "capacity_hours": 1})
    target = Position.model_validate(LONG_TASK_POSITION)
    ranking, _, _ = rank(target, PoolIndex.build([person, other]), MatchOptions(limit=2))
    demand = next(r for r in ranking if r.candidate_id == person.id)
    alone, _, _ = rank(target, PoolIndex.build([person]), MatchOptions(limit=1))
    supply = rank_positions(person, [target])[0]

    assert demand.explanation.components["competence"] == 0.3744  # the one-citizen value (re-pinned for issue 12)
    assert supply.explanation == demand.explanation == alone[0].explanation
    assert supply.score == demand.score == alone[0].score
