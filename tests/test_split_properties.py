"""Property tests for split_position: no proposal ever breaks a rule, checked by an independent checker.

The checker below re-derives every rule from docs/matching.md (capacity, min hours, task hours, non-splittable,
people limit, infeasible pairs, objective) without using matcher code; test_batch.py reuses it.
"""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.pairs import PairScores
from matcher.split import split_position
from models.schemas import Position, Proposal

# matcher/objective.py's weights, restated: the checker must not use the code it checks.
PERSON_VALUE, URGENCY_VALUE, SPLIT_COST = 1.0, 0.25, 1.3
TARGET_RATIO, LOSS, LOSS_ESTIMATED = 0.85, 0.5, 0.75


def pair_value(score: float) -> float:
    """An hour's worth: the score in thousandths, at least one thousandth for a feasible pair."""
    return max(1, int(np.rint(min(max(score, 0.0), 1.0) * 1000))) / 1000


def person_value(pairs: PairScores, i: int) -> float:
    """Being placed: PERSON_VALUE plus URGENCY_VALUE × the logistic LY urgency (15 months midpoint, 2 spread)."""
    months = 0.0 if pairs.ly_months is None else float(pairs.ly_months[i])
    return int(np.rint((PERSON_VALUE + URGENCY_VALUE / (1 + np.exp(-(months - 15) / 2))) * 1000)) / 1000


def over_target_loss(pairs: PairScores, i: int, hours: int) -> float:
    """Hours above round(0.85 × capacity) lose a share of the person's weakest feasible score here."""
    capacity = int(pairs.capacity_hours[i])
    target = max(1, int(np.floor(capacity * TARGET_RATIO + 0.5)))
    estimated = pairs.capacity_estimated is not None and bool(pairs.capacity_estimated[i])
    weakest = min(int(round(pair_value(pairs.score[i, t]) * 1000)) for t in range(len(pairs.task_ids))
                  if pairs.feasible[i, t])
    per_hour = int(np.floor((LOSS_ESTIMATED if estimated else LOSS) * weakest)) / 1000
    return per_hour * max(hours - target, 0)


def proposal_value(proposal: Proposal, pairs: PairScores) -> float:
    row = {cid: i for i, cid in enumerate(pairs.candidate_ids)}
    col = {tid: j for j, tid in enumerate(pairs.task_ids)}
    total = 0.0
    for p in proposal.people:
        i = row[p.candidate_id]
        total += sum(pair_value(pairs.score[i, col[a.task_id]]) * a.hours_per_week for a in p.assignments)
        total += person_value(pairs, i) - over_target_loss(pairs, i, p.hours)
    return total - SPLIT_COST * max(len(proposal.people) - 1, 0)


def check_proposal(position: Position, pairs: PairScores, proposal: Proposal,
                   used_hours: dict[str, int] | None = None) -> None:
    """Assert every rule of one proposal; `used_hours` accumulates hours across a batch."""
    row = {cid: i for i, cid in enumerate(pairs.candidate_ids)}
    col = {tid: j for j, tid in enumerate(pairs.task_ids)}
    task_by_id = {task.id: task for task in position.tasks}
    limit = min(position.max_people, position.employer.max_fleksjobbere or position.max_people)
    assert len(proposal.people) <= limit
    if proposal.kind == "single":
        assert len(proposal.people) <= 1
    else:
        assert len(proposal.people) >= 2
    assert len({p.candidate_id for p in proposal.people}) == len(proposal.people)
    on_task: dict[str, list[tuple[str, int]]] = {tid: [] for tid in task_by_id}
    for person in proposal.people:
        i = row[person.candidate_id]
        total = sum(a.hours_per_week for a in person.assignments)
        assert position.min_hours_per_person <= total <= int(pairs.capacity_hours[i])
        for a in person.assignments:
            assert a.hours_per_week >= 1
            assert bool(pairs.feasible[i, col[a.task_id]]), f"{person.candidate_id} er udelukket fra {a.task_id}"
            on_task[a.task_id].append((person.candidate_id, a.hours_per_week))
        if used_hours is not None:
            used_hours[person.candidate_id] = used_hours.get(person.candidate_id, 0) + total
    for tid, people in on_task.items():
        assert sum(h for _, h in people) <= task_by_id[tid].hours_per_week
        if not task_by_id[tid].splittable:
            assert len(people) <= 1
    covered = sum(h for people in on_task.values() for _, h in people)
    assert proposal.hours_covered == covered
    assert proposal.hours_requested == sum(t.hours_per_week for t in position.tasks)
    assert abs(proposal.objective - proposal_value(proposal, pairs)) < 1e-6
    missing = {tid: task_by_id[tid].hours_per_week - sum(h for _, h in people) for tid, people in on_task.items()}
    assert {u.task_id: u.hours_missing for u in proposal.uncovered} == {t: m for t, m in missing.items() if m > 0}
    assert all(u.detail for u in proposal.uncovered)


# ---- strategies -------------------------------------------------------------------------------------------


@st.composite
def positions(draw, max_tasks: int = 4, max_hours: int = 12) -> Position:
    n_tasks = draw(st.integers(1, max_tasks))
    tasks = [{"id": f"t{j}", "title": f"Opgave {j}", "hours_per_week": draw(st.integers(1, max_hours)),
              "splittable": draw(st.booleans())} for j in range(n_tasks)]
    return Position.model_validate({
        "id": "S-1", "title": "Stilling", "tasks": tasks,
        "max_people": draw(st.integers(1, 4)), "min_hours_per_person": draw(st.integers(1, 3)),
        "employer": {"id": "V-1", "name": "Virksomhed", "has_fleksjob_experience": draw(st.booleans()),
                     "max_fleksjobbere": draw(st.one_of(st.none(), st.integers(1, 3)))},
    })


@st.composite
def pair_scores(draw, position: Position, ids: list[str] | None = None, max_candidates: int = 7,
                max_capacity: int = 12) -> PairScores:
    if ids is None:
        n = draw(st.integers(0, max_candidates))
        ids = draw(st.permutations([f"B-{i}" for i in range(n)]))
    n, n_tasks = len(ids), len(position.tasks)
    feasible = np.array(draw(st.lists(st.booleans(), min_size=n * n_tasks, max_size=n * n_tasks)),
                        dtype=bool).reshape(n, n_tasks)
    score = np.array(draw(st.lists(st.floats(0, 1), min_size=n * n_tasks, max_size=n * n_tasks)),
                     dtype=float).reshape(n, n_tasks)
    capacity = np.array(draw(st.lists(st.integers(1, max_capacity), min_size=n, max_size=n)), dtype=int)
    return PairScores(candidate_ids=tuple(ids), task_ids=tuple(t.id for t in position.tasks),
                      feasible=feasible, score=np.where(feasible, score, 0.0), capacity_hours=capacity)


@st.composite
def cases(draw, **kwargs) -> tuple[Position, PairScores]:
    position = draw(positions(**kwargs))
    return position, draw(pair_scores(position))


FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(cases())
def test_no_proposal_breaks_a_rule(case):
    position, pairs = case
    proposals = split_position(position, pairs)
    for proposal in proposals:
        check_proposal(position, pairs, proposal)
    kinds = [p.kind for p in proposals]
    assert kinds in ([], ["single"], ["single", "split"], ["split", "single"])


@FAST
@given(cases())
def test_split_beats_single_and_order_follows_the_employer(case):
    position, pairs = case
    proposals = split_position(position, pairs)
    by_kind = {p.kind: p for p in proposals}
    if "split" in by_kind:
        assert by_kind["split"].objective > by_kind["single"].objective
        first = "split" if position.employer.has_fleksjob_experience else "single"
        assert proposals[0].kind == first
    if position.people_limit == 1:
        assert "split" not in by_kind


@FAST
@given(cases())
def test_candidate_order_does_not_change_the_answer(case):
    position, pairs = case
    reverse = np.arange(len(pairs.candidate_ids))[::-1]
    assert split_position(position, pairs) == split_position(position, pairs.subset(reverse))


def brute_force_best(position: Position, pairs: PairScores) -> float | None:
    """The best objective over every assignment that keeps the rules (tiny cases only), where an assignment
    of several people counts only if it covers more hours than the best single person (docs/matching.md)."""
    limit = position.people_limit
    cells = [(i, j) for i in range(len(pairs.candidate_ids)) for j in range(len(pairs.task_ids))
             if pairs.feasible[i, j]]
    ranges = [range(min(int(pairs.capacity_hours[i]), position.tasks[j].hours_per_week) + 1) for i, j in cells]
    singles, teams = [], []
    for hours in itertools.product(*ranges):
        per_person: dict[int, int] = {}
        per_task: dict[int, list[int]] = {}
        for (i, j), h in zip(cells, hours):
            if h:
                per_person[i] = per_person.get(i, 0) + h
                per_task.setdefault(j, []).append(h)
        if not per_person or len(per_person) > limit:
            continue
        if any(not (position.min_hours_per_person <= h <= pairs.capacity_hours[i]) for i, h in per_person.items()):
            continue
        if any(sum(hs) > position.tasks[j].hours_per_week or (len(hs) > 1 and not position.tasks[j].splittable)
               for j, hs in per_task.items()):
            continue
        value = sum(pair_value(pairs.score[i, j]) * h for (i, j), h in zip(cells, hours)) \
            + sum(person_value(pairs, i) - over_target_loss(pairs, i, h) for i, h in per_person.items()) \
            - SPLIT_COST * (len(per_person) - 1)
        reach = max(min(int(pairs.capacity_hours[i]), sum(position.tasks[j].hours_per_week
                                                          for j in range(len(pairs.task_ids)) if pairs.feasible[i, j]))
                    for i in per_person)
        if len(per_person) >= 2 and sum(hours) <= reach:
            continue   # a split must cover more hours than any of its people could alone
        (singles if len(per_person) == 1 else teams).append((round(value, 6), sum(hours)))
    if not singles:
        return None
    best_value = max(v for v, _ in singles)
    single_hours = min(h for v, h in singles if v == best_value)
    return max([best_value] + [v for v, h in teams if h > single_hours])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_best_proposal_is_optimal_on_tiny_cases(data):
    position = data.draw(positions(max_tasks=2, max_hours=3))
    pairs = data.draw(pair_scores(position, max_candidates=3, max_capacity=4))
    proposals = split_position(position, pairs)
    best = brute_force_best(position, pairs)
    if best is None:
        assert proposals == []
    else:
        assert abs(max(p.objective for p in proposals) - best) < 1e-6
