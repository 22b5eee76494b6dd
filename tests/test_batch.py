"""Batch assignment: every position keeps its rules, citizens are shared correctly, never worse than greedy."""

from __future__ import annotations

from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher import batch
from matcher.batch import batch_assign, greedy_assign, lp_bound
from matcher.pairs import PairScores
from models.schemas import Employer, Position
from test_split import make_pairs, make_position
from test_split_properties import check_proposal, pair_scores, positions, proposal_value


@st.composite
def employers(draw, n: int) -> list[Employer]:
    return [Employer(id=f"V-{e}", name=f"Virksomhed {e}", has_fleksjob_experience=draw(st.booleans()),
                     max_fleksjobbere=draw(st.one_of(st.none(), st.integers(1, 3))),
                     allow_several_new=draw(st.booleans())) for e in range(n)]


@st.composite
def batches(draw) -> list[tuple[Position, PairScores]]:
    """1–5 positions of 1–3 employers over one shared pool of up to 8 citizens; each position sees a subset,
    one capacity each."""
    n_citizens = draw(st.integers(1, 8))
    capacity = draw(st.lists(st.integers(1, 10), min_size=n_citizens, max_size=n_citizens))
    firms = draw(employers(draw(st.integers(1, 3))))
    items = []
    for p in range(draw(st.integers(1, 5))):
        position = draw(positions(max_tasks=3, max_hours=8)).model_copy(
            update={"id": f"S-{p}", "employer": draw(st.sampled_from(firms))})
        seen = draw(st.lists(st.integers(0, n_citizens - 1), unique=True, max_size=n_citizens))
        pairs = draw(pair_scores(position, ids=[f"B-{c}" for c in seen]))
        pairs = PairScores(pairs.candidate_ids, pairs.task_ids, pairs.feasible, pairs.score,
                           np.array([capacity[c] for c in seen], dtype=int))
        items.append((position, pairs))
    return items


def check_batch(items, proposals: dict, max_positions: int) -> float:
    """Every position's rules, each citizen's total capacity and position count; returns the objective."""
    assert set(proposals) == {position.id for position, _ in items}
    used: dict[str, int] = {}
    joined: dict[str, int] = {}
    capacity: dict[str, int] = {}
    total = 0.0
    for position, pairs in items:
        proposal = proposals[position.id]
        check_proposal(position, pairs, proposal, used_hours=used)
        capacity.update(zip(pairs.candidate_ids, pairs.capacity_hours.tolist()))
        for person in proposal.people:
            joined[person.candidate_id] = joined.get(person.candidate_id, 0) + 1
        total += proposal_value(proposal, pairs)
    assert all(hours <= capacity[cid] for cid, hours in used.items())
    assert all(n <= max_positions for n in joined.values())
    check_employer_limits(items, proposals)
    return total


def check_employer_limits(items, proposals: dict) -> None:
    """docs/matching.md, batch rules: max_fleksjobbere across all of an employer's positions (the residual
    positions carry what is left of it), and at most one new person per run for an employer without fleksjob
    experience unless a consultant allowed several."""
    people: dict[str, int] = {}
    employer_of = {}
    for position, _ in items:
        employer_of[position.employer.id] = position.employer
        people[position.employer.id] = people.get(position.employer.id, 0) + len(proposals[position.id].people)
    for employer_id, n in people.items():
        employer = employer_of[employer_id]
        if employer.max_fleksjobbere is not None:
            assert n <= employer.max_fleksjobbere, f"{employer_id} har {n} > {employer.max_fleksjobbere}"
        if not employer.has_fleksjob_experience and not employer.allow_several_new:
            assert n <= 1, f"{employer_id} uden erfaring fik {n} nye på én gang"


BATCH = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@BATCH
@given(batches(), st.sampled_from([1, 2]))
def test_batch_and_greedy_never_break_a_rule_and_batch_beats_greedy(items, max_positions):
    result = batch_assign(items, max_positions_per_citizen=max_positions)
    objective = check_batch(items, result.proposals, max_positions)
    greedy = check_batch(items, result.greedy_proposals, max_positions)
    assert abs(objective - result.objective) < 1e-6 and abs(greedy - result.greedy_objective) < 1e-6
    assert result.objective >= result.greedy_objective - 1e-9
    assert result.objective <= result.reduced_lp + 1e-3
    assert result.reduced_lp <= lp_bound(items, max_positions_per_citizen=max_positions) + 1e-3
    assert result.objective <= result.upper_bound + 1e-3
    assert result.upper_bound <= lp_bound(items, max_positions_per_citizen=max_positions) + 1e-3
    counts = result.coverage
    assert counts.full + counts.partial + counts.uncovered == len(items)


def test_one_citizen_goes_where_they_are_worth_most():
    cleaning = make_position([{"id": "rengøring", "hours_per_week": 6}], experience=True).model_copy(update={"id": "S-1"})
    canteen = make_position([{"id": "kantine", "hours_per_week": 8}], experience=True).model_copy(update={"id": "S-2"})
    items = [(cleaning, make_pairs(cleaning, {"B-1": (8, {"rengøring": 0.9})})),
             (canteen, make_pairs(canteen, {"B-1": (8, {"kantine": 0.8}), "B-2": (8, {"kantine": 0.7})}))]
    # Greedy gives B-1 to the first position and B-2 the canteen. Best: the same here, and B-1 never appears
    # twice. Objective (matcher/objective.py): score-hours + 1.0 per person − B-2's 8th hour (target 7 of 8)
    # at half their score.
    result = batch_assign(items)
    assert [p.candidate_id for p in result.proposals["S-1"].people] == ["B-1"]
    assert [p.candidate_id for p in result.proposals["S-2"].people] == ["B-2"]
    assert result.objective == round(6 * 0.9 + 1 + 8 * 0.7 + 1 - 0.35, 3)


def test_batch_corrects_the_consultants_first_come_first_served():
    first = make_position([{"id": "a", "hours_per_week": 8}], experience=True).model_copy(update={"id": "S-1"})
    second = make_position([{"id": "b", "hours_per_week": 8}], experience=True).model_copy(update={"id": "S-2"})
    items = [(first, make_pairs(first, {"B-1": (8, {"a": 0.9}), "B-2": (8, {"a": 0.85})})),
             (second, make_pairs(second, {"B-1": (8, {"b": 0.8})}))]
    greedy = greedy_assign(items)
    assert greedy.objective == round(8 * 0.9 + 1 - 0.45, 3)      # B-1 taken first; the second stays empty
    assert greedy.coverage.uncovered == 1
    assert greedy.proposals["S-2"].uncovered[0].reason == "capacity_used"
    result = batch_assign(items)
    assert result.objective == round(8 * 0.85 + 1 - 0.425 + 8 * 0.8 + 1 - 0.4, 3)
    assert (result.coverage.full, result.coverage.uncovered) == (2, 0)


def test_citizen_may_join_two_positions_when_allowed_within_capacity():
    first = make_position([{"id": "a", "hours_per_week": 4}], experience=True).model_copy(update={"id": "S-1"})
    second = make_position([{"id": "b", "hours_per_week": 4}], experience=True).model_copy(update={"id": "S-2"})
    items = [(first, make_pairs(first, {"B-1": (6, {"a": 0.9})})),
             (second, make_pairs(second, {"B-1": (6, {"b": 0.9})}))]
    one = batch_assign(items)
    assert one.coverage.uncovered == 1
    two = batch_assign(items, max_positions_per_citizen=2)
    hours = sorted(p.hours_covered for p in two.proposals.values())
    assert hours == [2, 4] and abs(check_batch(items, two.proposals, 2) - two.objective) < 1e-6


def test_progress_reaches_its_total_and_result_is_deterministic():
    rng = np.random.default_rng(5)
    items = []
    for p in range(6):
        position = make_position([{"id": "a", "hours_per_week": 6}, {"id": "b", "hours_per_week": 4,
                                                                      "splittable": False}], max_people=2,
                                 experience=True)
        rows = {f"B-{c}": (int(rng.integers(2, 9)), {t: float(rng.random()) for t in "ab" if rng.random() < .6})
                for c in range(p, p + 5)}
        items.append((position.model_copy(update={"id": f"S-{p}"}), make_pairs(position, rows)))
    calls = []
    result = batch_assign(items, progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1][0] == calls[-1][1] and all(a <= b for (a, _), (b, _) in zip(calls, calls[1:]))
    again = batch_assign(list(items))
    assert again.proposals == result.proposals and again.objective == result.objective
    assert result.optimal


def test_duplicate_position_ids_are_refused():
    position = make_position([{"id": "a", "hours_per_week": 4}])
    pairs = make_pairs(position, {"B-1": (4, {"a": 0.5})})
    try:
        batch_assign([(position, pairs), (position, pairs)])
    except ValueError as error:
        assert "unikke" in str(error)
    else:
        raise AssertionError("duplicate position ids were accepted")


@BATCH
@given(batches(), st.sampled_from([1, 2]), st.sampled_from([1, 40]))
def test_decomposed_components_keep_every_rule_and_stay_between_greedy_and_lp(items, max_positions, top_k):
    # top_k=1: the LP may use more candidates than CP-SAT keeps; decomposition must stay inside its component.
    with patch.object(batch, "EXACT_COMPONENT_ITEMS", 0):   # every component goes through _solve_decomposed
        result = batch_assign(items, max_positions_per_citizen=max_positions, top_k=top_k)
    assert result.components_decomposed == result.components
    objective = check_batch(items, result.proposals, max_positions)
    assert abs(objective - result.objective) < 1e-6
    assert result.greedy_objective - 1e-9 <= result.objective <= result.reduced_lp + 1e-3


@pytest.mark.parametrize("splittable, best, bound", [(False, 4.5, 4.9), (True, 7.7, 7.7)])
def test_lp_bound_respects_a_non_splittable_task(splittable, best, bound):
    # Two people with 4 h each for one 8 h task (target 3 h each). Shared they cover 8 h: 2 × (4 + 1 − 0.5)
    # − 1.3 = 7.7; a non-splittable task has one holder, 4 + 1 − 0.5 = 4.5, and the LP knows it (Σ h/ub ≤ 1):
    # its bound stays far below the split's, only the fractional person terms lift it above 4.5.
    position = make_position([{"id": "a", "hours_per_week": 8, "splittable": splittable}], max_people=2,
                             experience=True)
    pairs = make_pairs(position, {"B-1": (4, {"a": 1.0}), "B-2": (4, {"a": 1.0})})
    assert lp_bound([(position, pairs)]) == bound
    assert batch_assign([(position, pairs)]).objective == best


def test_result_reports_each_phase_in_order():
    position = make_position([{"id": "a", "hours_per_week": 4}])
    result = batch_assign([(position, make_pairs(position, {"B-1": (4, {"a": 0.5})}))])
    assert list(result.timings) == ["prepare", "greedy", "select", "lp", "cpsat", "finish", "bound"]
    assert sum(result.timings.values()) <= result.seconds + 1e-3


def test_national_jobcentres_cover_every_municipality_by_population():
    # The benchmark's national pool (benchmarks/bench_batch.py): each municipality its own jobcentre.
    from models.taxonomy import load_municipalities
    from service.demo.pool_generator import generate_pool, national_jobcenters

    jobcentres = national_jobcenters()
    assert [name for name, _, _ in jobcentres] == list(load_municipalities())
    largest = sorted(jobcentres, key=lambda jc: -jc[2])[:4]
    assert [name for name, _, _ in largest] == ["København", "Aarhus", "Aalborg", "Odense"]
    pool = generate_pool(300, 60, seed=3, jobcenters=jobcentres)
    assert {c.jobcenter for c in pool.citizens} <= {name for name, _, _ in jobcentres}
    assert max(sum(c.jobcenter == name for c in pool.citizens) for name, _, _ in jobcentres) \
        == sum(c.jobcenter == "København" for c in pool.citizens)


def test_a_split_keeps_the_best_single_person_beside_it():
    # docs/matching.md, batch rules: beside a split the batch keeps the best single-person proposal for the
    # position, from the people free for it (B-3 stays where it was placed).
    cleaning = make_position([{"id": "a", "hours_per_week": 6}, {"id": "b", "hours_per_week": 8}], max_people=2,
                             experience=True).model_copy(update={"id": "S-1"})
    other = make_position([{"id": "c", "hours_per_week": 6}], experience=True).model_copy(update={"id": "S-2"})
    items = [(cleaning, make_pairs(cleaning, {"B-1": (6, {"a": 0.9}), "B-2": (8, {"b": 0.85}),
                                              "B-3": (10, {"a": 0.95, "b": 0.95})})),
             (other, make_pairs(other, {"B-3": (10, {"c": 0.9})}))]
    result = batch_assign(items)
    assert result.proposals["S-1"].kind == "split" and set(result.alternatives) == {"S-1"}
    single = result.alternatives["S-1"]
    assert single.kind == "single" and [p.candidate_id for p in single.people] == ["B-2"]
    assert single.hours_covered == 8 and single.objective < result.proposals["S-1"].objective
    check_proposal(cleaning, items[0][1], single)
