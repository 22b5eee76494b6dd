"""Ranking, scoring and explanations of `matcher.match` / `matcher.rank`."""

import random

import numpy as np
import pytest

from benchmarks.bench_rank import benchmark_position, synthetic_candidates
from benchmarks.naive_scorer import naive_pair_scores
from matcher import PoolIndex, evaluate_position, match, rank
from matcher import scoring
from matcher.explain import ESTIMATED_CAPACITY_NOTE
from models.schemas import CompetenceMatch, MatchOptions, MatchRequest

POSITION = {
    "id": "S-1", "title": "Rengøring og kantine",
    "employer": {"id": "V-1", "name": "Bageriet A/S", "max_fleksjobbere": 2},
    "location": {"lat": 55.861, "lon": 9.850}, "max_people": 2, "min_hours_per_person": 1,
    "tasks": [
        {"id": "t1", "title": "Rengøring af kontorer", "hours_per_week": 6, "competences": ["rengøring"],
         "demands": {"lifting_kg": 8, "standing": True, "chemicals": True}, "days": ["mon", "wed", "fri"]},
        {"id": "t2", "title": "Kantine", "hours_per_week": 4, "competences": ["kantinearbejde", "opvask"],
         "demands": {"food_contact": True}, "days": ["tue", "thu"]},
    ],
}
NEAR = {"lat": 55.87, "lon": 9.84}


def person(cid, **fields):
    base = {"id": cid, "capacity_hours": 5, "capacity_basis": "measured", "location": NEAR}
    return {**base, **fields}


def run(*candidates, **options):
    return match({"position": POSITION, "candidates": list(candidates), "options": {"proposals": False, **options}})


def test_design_example_citizen_is_excluded_for_lifting_and_food():
    response = run(person("B-1", capacity_basis="estimated", competences=["rengøringsassistent", "kantinearbejde"],
                          restrictions=[{"code": "max_lifting_kg", "value": 5}, {"code": "no_food_contact"}]))
    assert response.ranking == []
    assert [r.restriction for r in response.excluded[0].reasons] == ["max_lifting_kg", "no_food_contact"]


def test_the_better_competence_match_ranks_first_and_explains_why():
    response = run(person("B-2", competences=["lagermedarbejder"]),
                   person("B-1", competences=["Rengøringsassistent", "kantinemedhjælper"]))
    first, second = response.ranking
    assert (first.candidate_id, first.rank, second.rank) == ("B-1", 1, 2)
    assert first.score > second.score
    matched = {(m.task_id, m.required): (m.matched, m.similarity) for m in first.explanation.matched_competences}
    assert matched[("t1", "rengøring")] == ("Rengøringsassistent", 1.0)
    assert matched[("t2", "kantinearbejde")] == ("kantinemedhjælper", 1.0)
    # A kantinemedhjælper takes the canteen's dishes: the title implies opvask (data/competences.yaml implies).
    assert matched[("t2", "opvask")] == ("kantinemedhjælper", 1.0)
    assert first.explanation.missing_competences == []
    assert set(first.explanation.components) >= set(scoring.COMPONENTS)
    assert {m.required for m in second.explanation.missing_competences} == {"rengøring", "kantinearbejde", "opvask"}


def test_cv_text_is_weaker_evidence_than_the_competence_list():
    response = run(person("B-1", competences=["rengøring"]), person("B-2", cv_text="Har gjort rent på en skole"))
    by_id = {r.candidate_id: r for r in response.ranking}
    listed = by_id["B-1"].explanation.matched_competences[0]
    from_cv = by_id["B-2"].explanation.matched_competences[0]
    assert listed.similarity == 1.0
    assert from_cv.matched == "gjort rent (fra cv)" and 0.5 <= from_cv.similarity < 1.0
    assert by_id["B-1"].score > by_id["B-2"].score
    assert (listed.source, from_cv.source) == ("competence", "cv")


def test_a_stored_match_without_source_gets_it_from_the_cv_mark():
    """Responses stored before `source` existed are read back with the source their suffix implies."""
    stored = {"task_id": "t1", "required": "rengøring", "similarity": 0.6}
    assert CompetenceMatch.model_validate({**stored, "matched": "gjort rent (fra cv)"}).source == "cv"
    assert CompetenceMatch.model_validate({**stored, "matched": "rengøring"}).source == "competence"
    assert CompetenceMatch.model_validate({**stored, "matched": "x (fra cv)", "source": "competence"}).source \
        == "competence"


def test_soft_restriction_lowers_the_score_and_becomes_an_accommodation():
    plain = run(person("B-1", competences=["rengøring"])).ranking[0]
    soft = run(person("B-1", competences=["rengøring"],
                      restrictions=[{"code": "no_prolonged_standing", "severity": "soft"}])).ranking[0]
    assert soft.score < plain.score
    assert [(a.task_id, a.restriction) for a in soft.explanation.accommodations] == [("t1", "no_prolonged_standing")]
    assert soft.explanation.accommodations[0].detail == \
        "opgaven kræver stående arbejde (borgeren: Ikke længerevarende stående arbejde)"


def test_estimated_capacity_suggests_praktik():
    estimated = run(person("B-1", capacity_basis="estimated")).ranking[0]
    measured = run(person("B-1")).ranking[0]
    assert ESTIMATED_CAPACITY_NOTE in estimated.explanation.notes
    assert "virksomhedspraktik" in ESTIMATED_CAPACITY_NOTE
    assert ESTIMATED_CAPACITY_NOTE not in measured.explanation.notes


def test_wishes_for_the_task_family_raise_the_score():
    without = run(person("B-1", competences=["rengøring"])).ranking[0]
    wished = run(person("B-1", competences=["rengøring"], wishes=["Rengøring"])).ranking[0]
    assert wished.score > without.score and wished.explanation.components["wishes"] == 1.0


def test_hours_offered_never_exceeds_capacity_or_feasible_hours():
    response = run(person("B-1", capacity_hours=12), person("B-2", capacity_hours=3),
                   person("B-3", capacity_hours=12, restrictions=[{"code": "no_food_contact"}]))
    offered = {r.candidate_id: r.hours_offered for r in response.ranking}
    assert offered == {"B-1": 10, "B-2": 3, "B-3": 6}


def test_components_behave_as_documented():
    # urgency rises towards and past 18 LY months
    u = scoring.urgency(np.arange(25))
    assert np.all(np.diff(u) > 0) and u[18] > 0.75 and u[6] < 0.05
    # hours: just below capacity beats exactly at capacity beats half
    fit = scoring.hours_fit(np.array([5, 6, 3, 12]), np.array([6, 6, 6, 6]))
    assert fit[0] > fit[1] > fit[2] and fit[3] == fit[1]
    # distance decays, unknown is neutral
    d = scoring.distance_decay(np.array([0.0, 5.0, 30.0, np.nan]))
    assert d[0] == 1.0 and d[0] > d[1] > d[2] and d[3] == scoring.DEFAULT_WEIGHTS.distance_unknown
    w = scoring.DEFAULT_WEIGHTS
    assert w.competence + w.hours + w.distance + w.wishes + w.urgency == pytest.approx(1.0)


def test_limit_and_include_excluded():
    candidates = [person(f"B-{i}", ly_months_last_24=i) for i in range(5)] + [person("X-1", status="inactive")]
    response = run(*candidates, limit=2, include_excluded=False)
    assert [r.candidate_id for r in response.ranking] == ["B-4", "B-3"] and response.excluded == []
    assert [e.candidate_id for e in run(*candidates).excluded] == ["X-1"]


def test_ties_are_broken_by_candidate_id():
    response = run(person("B-9"), person("B-10"), person("A-5"))
    assert [r.candidate_id for r in response.ranking] == ["A-5", "B-10", "B-9"]
    assert len({r.score for r in response.ranking}) == 1


def test_rank_reuses_one_index_for_several_positions_and_accepts_a_request():
    index = PoolIndex.build(MatchRequest.model_validate(
        {"position": POSITION, "candidates": [person("B-1"), person("B-2", competences=["opvask"])]}).candidates)
    request = {"position": POSITION, "candidates": [], "options": {"limit": 1}}
    ranking, excluded, pairs = rank(request, index)
    assert len(ranking) == 1 and excluded == [] and pairs.candidate_ids == ("B-1", "B-2")
    other = {**POSITION, "id": "S-2", "tasks": [POSITION["tasks"][1]]}
    ranking, _, pairs = rank(other, index, MatchOptions())
    assert ranking[0].candidate_id == "B-2" and pairs.task_ids == ("t2",)


def test_proposals_come_from_the_split_solver():
    response = match({"position": POSITION, "candidates": [person("B-1", competences=["rengøring"])]})
    assert response.proposals and response.proposals[0].people[0].candidate_id == "B-1"
    assert sum(a.hours_per_week for a in response.proposals[0].people[0].assignments) <= 5


def test_same_request_gives_byte_identical_response():
    candidates = [c.model_dump() for c in synthetic_candidates(60, seed=7)]
    request = {"position": benchmark_position().model_dump(), "candidates": candidates,
               "options": {"limit": 60, "proposals": False}}
    first = match(request).model_dump_json()
    shuffled = list(candidates)
    random.Random(3).shuffle(shuffled)
    assert match({**request, "candidates": shuffled}).model_dump_json() == first
    assert match(request).model_dump_json() == first


def test_naive_per_pair_scorer_gives_the_same_scores():
    candidates = synthetic_candidates(150, seed=11)
    position = benchmark_position()
    fast, _ = evaluate_position(position, PoolIndex.build(candidates))
    slow = naive_pair_scores(position, candidates)
    assert fast.candidate_ids == slow.candidate_ids
    assert np.array_equal(fast.feasible, slow.feasible)
    assert fast.feasible.any() and not fast.feasible.all()
    assert np.allclose(fast.score, slow.score, atol=1e-4)
