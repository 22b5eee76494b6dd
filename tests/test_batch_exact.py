"""The batch against an independent exact optimum: a MIP of the whole problem solved by HiGHS
(scipy.optimize.milp) on every eligible pair, with no pre-selection and none of matcher.batch's code.

The MIP is written from docs/matching.md (proposal constraints, batch rules) and the objective of
matcher/objective.py as restated by the independent checker of test_split_properties (pair value, person
value with LY urgency, loss above the hours target, split cost), in thousandths. On a few hundred seeded random instances
the batch as run must find and prove the optimum (small components are solved on all their rows); forced onto
the pre-selected path that big components take, it must reach median ≥ 0.99 and minimum ≥ 0.90 of the
optimum; it never exceeds it, and its reported upper bound is never below it — also when the bound is the
Lagrangian one.
"""

from __future__ import annotations

from unittest.mock import patch

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_matrix

from matcher import batch
from matcher.batch import batch_assign, lp_bound
from matcher.pairs import PairScores
from models.schemas import Employer, Position
from test_split_properties import over_target_loss, person_value

SPLIT_UNITS = 1300            # matcher/objective.py restated in units: 1.3 per person beyond the first
INSTANCES = 240
MEDIAN_RATIO = 0.99          # the pre-selected path (what big components get): median over the instances
MINIMUM_RATIO = 0.90         # ... and its worst instance (0.945 measured: CP-SAT sees the LP's support only)


def random_instance(rng: np.random.Generator) -> tuple[list[tuple[Position, PairScores]], int]:
    """2–5 positions of 1–3 employers over 3–9 citizens; each position sees some of them."""
    n_citizens = int(rng.integers(3, 10))
    capacity = rng.choice([1, 2, 3, 4, 6, 8, 10], n_citizens)
    ly_months = rng.integers(0, 25, n_citizens).astype(float)
    estimated = rng.random(n_citizens) < .5
    firms = [Employer(id=f"V-{e}", name=f"Virksomhed {e}", has_fleksjob_experience=bool(rng.random() < .5),
                      max_fleksjobbere=None if rng.random() < .5 else int(rng.integers(1, 4)),
                      allow_several_new=bool(rng.random() < .3)) for e in range(int(rng.integers(1, 4)))]
    items = []
    for p in range(int(rng.integers(2, 6))):
        tasks = [{"id": f"t{j}", "title": f"Opgave {j}", "hours_per_week": int(rng.integers(1, 9)),
                  "splittable": bool(rng.random() < .6)} for j in range(int(rng.integers(1, 4)))]
        position = Position.model_validate({
            "id": f"S-{p}", "title": "Stilling", "max_people": int(rng.integers(1, 4)),
            "min_hours_per_person": int(rng.choice([1, 1, 2, 3])), "tasks": tasks,
            "employer": firms[int(rng.integers(0, len(firms)))].model_dump()})
        seen = np.flatnonzero(rng.random(n_citizens) < .7)
        feasible = rng.random((len(seen), len(tasks))) < .6
        score = np.where(feasible, rng.uniform(0.05, 1.0, feasible.shape).round(3), 0.0)
        items.append((position, PairScores(tuple(f"B-{c}" for c in seen), tuple(t["id"] for t in tasks), feasible,
                                           score, capacity[seen].astype(int), ly_months[seen],
                                           estimated[seen])))
    return items, int(rng.choice([1, 1, 2]))


def target(pairs: PairScores, i: int) -> int:
    return max(1, int(np.floor(int(pairs.capacity_hours[i]) * 0.85 + 0.5)))


def employer_cap(employer: Employer) -> float:
    """docs/matching.md, batch rules: new people one run may give an employer across its positions."""
    cap = np.inf if employer.max_fleksjobbere is None else employer.max_fleksjobbere
    if not employer.has_fleksjob_experience and not employer.allow_several_new:
        cap = min(cap, 1)
    return cap


def exact_optimum(items: list[tuple[Position, PairScores]], max_positions: int) -> float:
    """The MIP optimum in objective units (thousandths) over every pair."""
    columns: list[tuple] = []    # ("h", k, row, t, ub) | ("u", k, row) | ("x", k, row, t) | ("y", k)
    index: dict[tuple, int] = {}

    def add(key: tuple, ub: float, value: float) -> None:
        index[key] = len(columns)
        columns.append((key, ub, value))

    for k, (position, pairs) in enumerate(items):
        add(("y", k), 1, SPLIT_UNITS)
        for i in range(len(pairs.candidate_ids)):
            add(("u", k, i), 1, round(person_value(pairs, i) * 1000) - SPLIT_UNITS)
            if pairs.feasible[i].any():
                add(("o", k, i), 20, -round(over_target_loss(pairs, i, target(pairs, i) + 1) * 1000))
            for t, task in enumerate(position.tasks):
                if pairs.feasible[i, t]:
                    units = max(1, int(np.rint(pairs.score[i, t] * 1000)))
                    add(("h", k, i, t), min(task.hours_per_week, int(pairs.capacity_hours[i])), units)
                    if not task.splittable:
                        add(("x", k, i, t), 1, 0)
    rows: list[tuple[dict[int, float], float, float]] = []
    for k, (position, pairs) in enumerate(items):
        for i in range(len(pairs.candidate_ids)):
            mine = {index[key]: 1.0 for key in index if key[0] == "h" and key[1:3] == (k, i)}
            rows.append(({**mine, index["u", k, i]: -float(pairs.capacity_hours[i])}, -np.inf, 0))
            rows.append(({**mine, index["u", k, i]: -float(position.min_hours_per_person)}, 0, np.inf))
            if ("o", k, i) in index:   # o ≥ the hours above the target
                rows.append(({**mine, index["o", k, i]: -1.0, index["u", k, i]: -float(target(pairs, i))},
                             -np.inf, 0))
        for t, task in enumerate(position.tasks):
            on_task = [i for i in range(len(pairs.candidate_ids)) if ("h", k, i, t) in index]
            rows.append(({index["h", k, i, t]: 1.0 for i in on_task}, -np.inf, task.hours_per_week))
            if not task.splittable:
                for i in on_task:
                    rows.append(({index["h", k, i, t]: 1.0, index["x", k, i, t]: -float(task.hours_per_week)},
                                 -np.inf, 0))
                rows.append(({index["x", k, i, t]: 1.0 for i in on_task}, -np.inf, 1))
        people = {index["u", k, i]: 1.0 for i in range(len(pairs.candidate_ids))}
        limit = min(position.max_people, position.employer.max_fleksjobbere or position.max_people)
        rows.append((people, -np.inf, limit))
        if limit >= 2:   # a split covers more hours than any of its people could alone: s ≥ (Σu − 1)/(L − 1)
            add(("s", k), 1, 0)
            rows.append(({**{c: -1.0 for c in people}, index["s", k]: float(limit - 1)}, -1, np.inf))
            covered = {index[key]: 1.0 for key in index if key[0] == "h" and key[1] == k}
            task_hours = np.array([t.hours_per_week for t in position.tasks])
            for i in range(len(pairs.candidate_ids)):
                need = min(int(pairs.capacity_hours[i]), int(pairs.feasible[i] @ task_hours)) + 1
                rows.append(({**covered, index["u", k, i]: -float(need), index["s", k]: -float(need)}, -need,
                             np.inf))
        rows.append(({**{c: -1.0 for c in people}, index["y", k]: 1.0}, -np.inf, 0))
    by_citizen: dict[str, list[tuple[int, int]]] = {}
    capacity: dict[str, int] = {}
    for k, (_, pairs) in enumerate(items):
        for i, cid in enumerate(pairs.candidate_ids):
            by_citizen.setdefault(cid, []).append((k, i))
            capacity[cid] = min(capacity.get(cid, 99), int(pairs.capacity_hours[i]))
    for cid, places in by_citizen.items():
        hours = {index[key]: 1.0 for key in index if key[0] == "h" and key[1:3] in places}
        rows.append((hours, -np.inf, capacity[cid]))
        rows.append(({index["u", k, i]: 1.0 for k, i in places}, -np.inf, max_positions))
    for employer_id in {position.employer.id for position, _ in items}:
        ks = [k for k, (position, _) in enumerate(items) if position.employer.id == employer_id]
        cap = employer_cap(items[ks[0]][0].employer)
        if np.isfinite(cap):
            used = {index["u", k, i]: 1.0 for k in ks for i in range(len(items[k][1].candidate_ids))}
            rows.append((used, -np.inf, cap))
    matrix = lil_matrix((len(rows), len(columns)))
    for r, (coefficients, _, _) in enumerate(rows):
        for c, value in coefficients.items():
            matrix[r, c] = value
    values = np.array([value for _, _, value in columns], dtype=float)
    found = milp(-values, integrality=np.ones(len(columns)), bounds=Bounds(0, [ub for _, ub, _ in columns]),
                 constraints=LinearConstraint(matrix.tocsr(), [lo for _, lo, _ in rows], [up for _, _, up in rows]))
    assert found.success, found.message
    return -found.fun


def test_batch_reaches_the_exact_optimum_and_never_passes_its_bounds():
    # Small components are solved on all their eligible rows: CP-SAT must find and prove the optimum, which is
    # then the reported upper bound exactly. The batch's answer equals it unless a split one of its people could
    # cover alone was replaced by that person (docs/matching.md; the MIP knows no such rule, so its optimum only
    # bounds the batch's). With exact components switched off, the pre-selected model (top_k=3) must still come
    # within the stated ratios.
    rng = np.random.default_rng(16)
    exact_ratios, ratios = [], []
    for _ in range(INSTANCES):
        items, max_positions = random_instance(rng)
        optimum = exact_optimum(items, max_positions) / 1000
        result = batch_assign(items, max_positions_per_citizen=max_positions)
        assert result.components_exact == result.components and result.upper_bound_kind == "full"
        assert abs(result.upper_bound - optimum) < 1e-6 and result.objective <= optimum + 1e-6
        if result.splits_replaced == 0:
            assert abs(result.objective - optimum) < 1e-6
        exact_ratios.append(result.objective / optimum if optimum > 0 else 1.0)
        with patch.object(batch, "EXACT_COMPONENT_ROWS", 0):
            reduced = batch_assign(items, max_positions_per_citizen=max_positions, top_k=3)
        assert reduced.objective <= optimum + 1e-6 <= reduced.upper_bound + 2e-6
        ratios.append(reduced.objective / optimum if optimum > 0 else 1.0)
    for found in (exact_ratios, ratios):
        assert np.median(found) >= MEDIAN_RATIO
        assert min(found) >= MINIMUM_RATIO


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_lagrangian_and_priced_lp_bounds_stay_above_the_optimum(seed):
    # No exact components and one LP round: the bound is the Lagrangian one at the duals of a deliberately poor
    # reduced model (top_k=1) unless pricing finds nothing to add; it must never fall below the true optimum,
    # and when it claims "full" it is the LP over every eligible pair.
    rng = np.random.default_rng(seed)
    kinds = set()
    for _ in range(40):
        items, max_positions = random_instance(rng)
        optimum = exact_optimum(items, max_positions) / 1000
        with patch.object(batch, "EXACT_COMPONENT_ROWS", 0), patch.object(batch, "PRICING_ROUNDS", 1):
            one_round = batch_assign(items, max_positions_per_citizen=max_positions, top_k=1)
        assert one_round.upper_bound >= optimum - 1e-6
        with patch.object(batch, "EXACT_COMPONENT_ROWS", 0):
            priced = batch_assign(items, max_positions_per_citizen=max_positions, top_k=1)
        assert priced.upper_bound >= optimum - 1e-6
        full_lp = lp_bound(items, max_positions_per_citizen=max_positions)
        for result in (one_round, priced):
            kinds.add(result.upper_bound_kind)
            if result.upper_bound_kind == "full":
                assert abs(result.upper_bound - full_lp) < 1e-3
            else:
                assert result.upper_bound >= full_lp - 1e-6
    assert kinds == {"full", "lagrangian"}    # both kinds were exercised
